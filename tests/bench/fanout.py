"""Fan-out: G groups x N subscribers x 2 senders, open loop, raising the rate until it breaks.

Every contender speaks ``subscribe`` and ``post`` frames; each post's body carries a tag
``QB<step>x<sender>x<seq>x<scheduled µs>Q`` that survives rendering, so the receiver
finds the step, the sender, the sequence number and the scheduled send time in any
frame format. Latency runs from the scheduled send time (not the actual one) to receipt;
loss is counted from the sequence numbers each subscriber should have received.
"""

import asyncio
import contextlib
import itertools
import re
import resource
import time
import uuid
from dataclasses import dataclass, field

from common import percentile
from websockets.asyncio.client import connect

TAG = re.compile(r"QB(\d+)x(\d+)x(\d+)x(\d+)Q")
PAD = (
    "Tervetuloa ryhmään; the meeting moves to Thursday, bring your CV and one question "
    "for the tutor about interviews in Finnish workplaces. "
)
FRAME_BYTES = 200
P99_LIMIT = 0.250
CONNECT_CONCURRENCY = 64


def now_us():
    return time.perf_counter_ns() // 1000


@dataclass
class Contender:
    """How to reach one server and speak its frames."""

    name: str
    url: str
    topic: callable  # group index -> topic
    subscribe: callable  # topic -> text frame
    post: callable  # (topic, body, client_id) -> text frame
    headers: callable = lambda i: {}  # connection index -> extra headers
    origin: str | None = None
    server: object = None  # common.Server, for CPU readings
    extra_pids: list = field(default_factory=list)

    extra_servers: list = field(default_factory=list)

    def cpu(self):
        from common import cpu_seconds

        return self.server.cpu() + sum(cpu_seconds(pid) for pid in self.extra_pids)

    def pause(self):
        for server in [self.server, *self.extra_servers]:
            server.pause()

    def resume(self):
        for server in [self.server, *self.extra_servers]:
            server.resume()


class Step:
    """What the receivers count for one tagged step."""

    def __init__(self):
        self.latencies = []
        self.received = 0


class Cell:
    """The connections of one contender for one grid cell (N subscribers x G groups)."""

    def __init__(self, contender, n, g):
        self.c = contender
        self.n = n
        self.g = g
        self.subscribers = []
        self.senders = []  # (ws, topic, sender id)
        self.tasks = []
        self.steps = {}
        self.tag = 0
        self.stopping = False
        self.sent = {}
        # Client ids never repeat, not even in the warm-ups (tag 0) of later steps or
        # rounds: a repeated id is a retry to Tandem, answered without a broadcast.
        self.run_id = uuid.uuid4().hex[:12]
        self.post_ids = itertools.count()

    async def _open(self, index, sem):
        async with sem:
            for attempt in range(5):
                try:
                    url = self.c.url
                    if not isinstance(url, str):
                        # connection i follows group i % g: counting in blocks of g spreads
                        # each group's subscribers and its two senders over the processes
                        url = url[(index // self.g) % len(url)]
                    return await connect(
                        url,
                        compression=None,
                        origin=self.c.origin,
                        additional_headers=self.c.headers(index),
                        ping_interval=None,
                        open_timeout=60,
                        max_queue=None,
                        close_timeout=1,
                    )
                except (TimeoutError, OSError):
                    if attempt == 4:
                        raise
                    await asyncio.sleep(0.5 * (attempt + 1))

    async def _subscribe(self, ws, topic, sem):
        async with sem:
            await ws.send(self.c.subscribe(topic))
            # wait for the server's answer to the subscription (whatever its shape)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                text = await asyncio.wait_for(ws.recv(), 30)
                if topic in text and "error" not in text.lower():
                    return
                if "error" in text.lower():
                    raise RuntimeError(f"{self.c.name}: subscribe refused: {text[:300]}")
            raise RuntimeError(f"{self.c.name}: no answer to subscribe {topic}")

    async def open(self):
        sem = asyncio.Semaphore(CONNECT_CONCURRENCY)
        topics = [self.c.topic(i) for i in range(self.g)]
        sub_count = self.n * self.g
        conns = await asyncio.gather(*(self._open(i, sem) for i in range(sub_count + 2 * self.g)))
        self.subscribers = conns[:sub_count]
        sender_conns = conns[sub_count:]
        # senders follow their topic too (Tandem asks it before a post), in every contender
        await asyncio.gather(
            *(self._subscribe(ws, topics[i % self.g], sem) for i, ws in enumerate(conns))
        )
        self.senders = [(ws, topics[i % self.g], i) for i, ws in enumerate(sender_conns)]
        for ws in self.subscribers:
            self.tasks.append(asyncio.create_task(self._receive(ws)))
        for ws, _topic, _sid in self.senders:
            self.tasks.append(asyncio.create_task(self._discard(ws)))

    async def _receive(self, ws):
        steps = self.steps
        with contextlib.suppress(Exception):
            async for text in ws:
                got = now_us()
                m = TAG.search(text)
                if m is None:
                    continue
                step = steps.get(int(m.group(1)))
                if step is not None:
                    step.received += 1
                    step.latencies.append((got - int(m.group(4))) / 1e6)

    async def _discard(self, ws):
        with contextlib.suppress(Exception):
            async for _text in ws:
                pass

    def _body(self, tag, sid, seq, scheduled):
        head = f"QB{tag}x{sid}x{seq}x{scheduled}Q "
        room = FRAME_BYTES - 90 - len(head)
        return head + (PAD * 2)[: max(room, 0)]

    async def _send_loop(self, ws, topic, sid, rate, t0):
        interval = 1.0 / rate
        seq = 0
        # spread the senders' phases evenly over one interval, so posts do not come in
        # bursts (bursts queue on the server and read as latency the load did not cause)
        start = t0 + sid / len(self.senders) * interval
        while not self.stopping:
            scheduled = start + seq * interval
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if self.stopping:
                break
            tag = self.tag
            body = self._body(tag, sid, seq, int(scheduled * 1e6))
            try:
                await ws.send(self.c.post(topic, body, f"b{self.run_id}-{next(self.post_ids)}"))
            except Exception:
                return
            key = (tag, sid)
            self.sent[key] = self.sent.get(key, 0) + 1
            seq += 1

    async def run_step(self, tag, delivery_rate, warmup, window, drain_max=5.0):
        """Offer ``delivery_rate`` deliveries/s; measure one tagged window."""
        rate = delivery_rate / (self.n * 2 * self.g)  # posts/s per sender
        # enough posts in the window to count: a longer window at low post rates
        window = min(max(window, 25 / (rate * 2 * self.g)), 3.0)
        self.steps[tag] = step = Step()
        self.stopping = False
        self.tag = 0
        t0 = time.perf_counter() + 0.05
        senders = [
            asyncio.create_task(self._send_loop(ws, topic, sid, rate, t0))
            for ws, topic, sid in self.senders
        ]
        try:
            await asyncio.sleep(warmup)
            cpu0 = self.c.cpu()
            ru0 = resource.getrusage(resource.RUSAGE_SELF)
            w0 = time.perf_counter()
            self.tag = tag
            await asyncio.sleep(window)
            self.tag = 0
            w1 = time.perf_counter()
            self.stopping = True
        finally:
            self.stopping = True
            for task in senders:
                task.cancel()
            await asyncio.gather(*senders, return_exceptions=True)
        expected = sum(v for (t, _sid), v in self.sent.items() if t == tag) * self.n
        # drain: until everything came, or nothing more comes for a while
        # what has not come within drain_max seconds of the window's end counts as lost
        deadline = time.perf_counter() + drain_max
        last, last_change = step.received, time.perf_counter()
        while step.received < expected and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
            if step.received != last:
                last, last_change = step.received, time.perf_counter()
            elif step.received and time.perf_counter() - last_change > 1.5:
                break
        cpu1 = self.c.cpu()
        ru1 = resource.getrusage(resource.RUSAGE_SELF)
        elapsed = time.perf_counter() - w0
        lat = step.latencies
        received = step.received
        del self.steps[tag]
        client_cpu = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
        result = {
            "offered": expected / (w1 - w0) if w1 > w0 else 0,
            "delivered": received / (w1 - w0) if w1 > w0 else 0,
            "expected": expected,
            "received": received,
            "loss": max(expected - received, 0),
            "p50": percentile(lat, 0.50),
            "p99": percentile(lat, 0.99),
            "cpu_ms_per_1k": (cpu1 - cpu0) * 1e6 / received if received else float("nan"),
            "server_util": (cpu1 - cpu0) / elapsed if elapsed else 0,
            # deliveries per second of server CPU: robust to other work on the server's core
            "per_cpu": received / (cpu1 - cpu0) if cpu1 - cpu0 >= 0.05 and received else None,
            "client_util": client_cpu / elapsed if elapsed else 0,
        }
        result["ok"] = result["loss"] == 0 and result["p99"] <= P99_LIMIT and received > 0
        return result

    async def settle(self, max_wait=15.0):
        """After an overload, wait until the server has worked off its backlog."""
        deadline = time.monotonic() + max_wait
        prev = self.c.cpu()
        while time.monotonic() < deadline:
            await asyncio.sleep(0.3)
            cur = self.c.cpu()
            if cur - prev < 0.03:
                return
            prev = cur

    async def close(self):
        for task in self.tasks:
            task.cancel()
        for ws in self.subscribers + [s[0] for s in self.senders]:
            with contextlib.suppress(Exception):
                ws.transport.abort()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks.clear()


async def ramp(
    cell, tag_counter, start, factor, warmup, window, max_steps, max_rate, precision=1.08
):
    """Raise the offered rate until p99 > 250 ms or any loss; return capacity and steps.

    Up by ``factor`` while steps pass; if the first step fails, down until one passes.
    Once a passing and a failing rate are known, the steps left bisect between them
    (geometric mean) until they are within ``precision`` of each other, so a first step
    that failed does not pin capacity low.
    """
    rate = start
    best = None
    ok_rate = fail_rate = None
    steps = []
    for _ in range(max_steps):
        tag = next(tag_counter)
        res = await cell.run_step(tag, rate, warmup, window)
        res["rate"] = rate
        steps.append(res)
        if res["ok"]:
            best = res
            ok_rate = rate
        else:
            await cell.settle()
            fail_rate = rate
        if ok_rate is None:
            rate /= factor * 1.3  # the first steps failed: come down until one passes
            if rate < 20:
                break
        elif fail_rate is None:
            if rate * factor > max_rate:
                break
            rate *= factor
        else:
            if fail_rate / ok_rate < precision:
                break
            rate = (ok_rate * fail_rate) ** 0.5
    return best, steps
