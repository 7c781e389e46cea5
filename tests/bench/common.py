"""What every benchmark section shares: server processes, CPU and memory readings, statistics.

Servers run as subprocesses on 127.0.0.1 only, pinned to core 0 with ``taskset``; the
load generator (the process running ``run.py``) pins itself to core 1. A server's CPU
time is read from ``/proc/<pid>/stat`` (utime + stime) before and after each window.
"""

import contextlib
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
PY = sys.executable
CLK_TCK = os.sysconf("SC_CLK_TCK")
SERVER_CORE = "0"
CLIENT_CORE = 1

# The bench site's host: every server binds here and nowhere else.
HOST = "127.0.0.1"


def pin_load_generator():
    """The load generator runs on its own core, the servers on the other."""
    with contextlib.suppress(OSError):
        os.sched_setaffinity(0, {CLIENT_CORE} if os.cpu_count() > 1 else {0})


def raise_open_files(limit=65536):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(max(soft, limit), hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def cpu_seconds(pid):
    """utime + stime of a process, in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    # after the ')' the fields start at field 3 (state): utime is field 14, stime 15
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_bytes(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except FileNotFoundError:
        pass
    return 0


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def ratio_summary(ratios):
    """Median of per-round ratios, with min and max."""
    ratios = [r for r in ratios if r is not None and r == r]
    if not ratios:
        return None
    return {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios)}


def fmt_ratio(summary, digits=2):
    if not summary:
        return "n/a"
    return (
        f"{summary['median']:.{digits}f} ({summary['min']:.{digits}f}–{summary['max']:.{digits}f})"
    )


def shuffled(items, rng=random):
    items = list(items)
    rng.shuffle(items)
    return items


class Server:
    """A server subprocess pinned to the server core; stopped for sure on exit."""

    def __init__(self, name, argv, env=None, port=None, log_dir=None, ready_path="/"):
        self.name = name
        self.argv = argv
        self.env = env
        self.port = port
        self.log_dir = Path(log_dir) if log_dir else None
        self.proc = None
        self.ready_path = ready_path
        self._log = None

    @property
    def pid(self):
        return self.proc.pid

    def start(self, timeout=60):
        cmd = ["taskset", "-c", SERVER_CORE, *self.argv] if shutil.which("taskset") else self.argv
        log = subprocess.DEVNULL
        if self.log_dir:
            self._log = open(self.log_dir / f"{self.name}-{self.port}.log", "ab")  # noqa: SIM115
            log = self._log
        self.proc = subprocess.Popen(
            cmd,
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}")
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), 0.2):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not listen on {self.port} within {timeout}s")

    def cpu(self):
        return cpu_seconds(self.proc.pid)

    def rss(self):
        return rss_bytes(self.proc.pid)

    def pause(self):
        """Stop the process (SIGSTOP) so its timers do not take the core from another."""
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGSTOP)

    def resume(self):
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGCONT)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.resume()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if self._log:
            self._log.close()
            self._log = None


class Servers:
    """Every server started in a section; all stopped in ``finally``."""

    def __init__(self):
        self.items = []

    def add(self, server):
        self.items.append(server)
        return server.start()

    def stop_all(self):
        for server in reversed(self.items):
            with contextlib.suppress(Exception):
                server.stop()
        self.items.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop_all()


def django_env(site, **extra):
    """The environment of a Tandem server or script for one bench site (a temp dir)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_", "SQLITE_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT / "platform"), str(ROOT)]),
            "SECRET_KEY": "bench-only-key-" + "b" * 40,
            "AUDIT_CHAIN_KEY": "bench-only-audit-key-" + "a" * 40,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "STATIC_MANIFEST": "0",
            "SQLITE_PATH": str(Path(site) / "tandem.sqlite3"),
            "STATIC_ROOT": str(Path(site) / "static"),
            "MEDIA_ROOT": str(Path(site) / "media"),
            # The benchmark posts far faster than a person: lift the per-person limits.
            "POSTS_PER_MINUTE": "100000000",
            "WS_FRAMES_PER_MINUTE": "100000000",
            "WS_MAX_CONNECTIONS_PER_USER": "100000",
            "LOG_LEVEL": "ERROR",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update({k: str(v) for k, v in extra.items() if v is not None})
    return env


def run_django_script(site, script, *args, timeout=900, **env_extra):
    """Run a bench script under Django (on the server core); return its JSON output."""
    env = django_env(site, **env_extra)
    cmd = [PY, str(BENCH / script), *map(str, args)]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", SERVER_CORE, *cmd]
    out = subprocess.run(
        cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"{script} failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


def daphne_argv(port, app="bench_asgi:application"):
    return [str(VENV_BIN / "daphne"), "-b", HOST, "-p", str(port), "-v", "0", app]


def uvicorn_argv(port, app="bench_asgi:application"):
    return [
        str(VENV_BIN / "uvicorn"),
        "--host",
        HOST,
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        "--ws",
        "websockets",
        "--ws-per-message-deflate",
        "false",
        "--lifespan",
        "off",
        app,
    ]


def has_uvicorn():
    return (VENV_BIN / "uvicorn").exists()
