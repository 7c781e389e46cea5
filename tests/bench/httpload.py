"""A small closed-loop HTTP/1.1 load generator (keep-alive, asyncio, one core).

Each of ``concurrency`` workers sends a request, reads the whole response, and sends
the next one; the latency of each request and the count of non-200 answers are kept.
"""

import asyncio
import time

from common import HOST, percentile


class Conn:
    def __init__(self, port):
        self.port = port
        self.reader = None
        self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)

    def close(self):
        if self.writer:
            self.writer.close()
            self.writer = None

    async def get(self, path, headers):
        if self.writer is None:
            await self.open()
        self.writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n{headers}"
                "Accept-Language: en\r\nConnection: keep-alive\r\n\r\n"
            ).encode("latin-1")
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                fields[k.strip().lower()] = v.strip()
        size = 0
        if "content-length" in fields:
            size = int(fields["content-length"])
            await self.reader.readexactly(size)
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            while True:
                line = await self.reader.readuntil(b"\r\n")
                n = int(line.split(b";")[0], 16)
                await self.reader.readexactly(n + 2)
                size += n
                if n == 0:
                    break
        else:
            body = await self.reader.read()
            size = len(body)
            self.close()
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, size


def cookie_header(session_key):
    return f"Cookie: sessionid={session_key}\r\n" if session_key else ""


async def fetch_once(port, path, session_key=None):
    conn = Conn(port)
    try:
        return await conn.get(path, cookie_header(session_key))
    finally:
        conn.close()


async def closed_loop(port, path, session_key, concurrency, warmup, window, cpu):
    """Run ``concurrency`` workers; measure the window. ``cpu()`` reads the server's CPU s."""
    headers = cookie_header(session_key)
    state = {"measure": False, "stop": False}
    latencies = []
    errors = []

    async def worker():
        conn = Conn(port)
        try:
            while not state["stop"]:
                t0 = time.perf_counter()
                try:
                    status, _size = await conn.get(path, headers)
                except (OSError, asyncio.IncompleteReadError):
                    conn.close()
                    status = 599
                t1 = time.perf_counter()
                if state["measure"]:
                    latencies.append(t1 - t0)
                    if status != 200:
                        errors.append(status)
        finally:
            conn.close()

    tasks = [asyncio.create_task(worker()) for _ in range(concurrency)]
    await asyncio.sleep(warmup)
    cpu0 = cpu()
    t0 = time.perf_counter()
    state["measure"] = True
    await asyncio.sleep(window)
    state["measure"] = False
    t1 = time.perf_counter()
    cpu1 = cpu()
    state["stop"] = True
    await asyncio.gather(*tasks, return_exceptions=True)
    n = len(latencies)
    return {
        "requests": n,
        "rps": n / (t1 - t0),
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "cpu_ms_per_req": (cpu1 - cpu0) * 1000 / n if n else float("nan"),
        "errors": len(errors),
        "statuses": sorted(set(errors))[:5],
    }
