"""Tandem's benchmarks: `make bench` (full) or `make bench BENCH_ARGS=--quick` (a smaller subset).

Each section compares contenders side by side in one run: every round runs each
contender once, in random order (warm-up, then a measured window), and the report gives
the median of the per-round ratios against the round's baseline, with min and max.
The results go to docs/performance.md (tables and the machine they ran on).
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
from common import (
    PY,
    ROOT,
    Server,
    Servers,
    daphne_argv,
    django_env,
    free_port,
    ratio_summary,
    run_django_script,
    shuffled,
)

SECTIONS = ["fanout", "pages", "growth", "memory", "servers"]


class Bench:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.rounds = args.rounds or (2 if args.quick else 5)
        self.site = Path(tempfile.mkdtemp(prefix="tandem-bench-"))
        self.logs = self.site / "logs"
        self.logs.mkdir()
        self.results = {"notes": []}
        self.rng = random.Random(args.seed)
        self.data = None
        self.tags = itertools.count(1)
        self.started = time.monotonic()

    # ---- the bench site: its own SQLite database, migrated and populated ----

    def prepare(self):
        env = django_env(self.site)
        subprocess.run(
            [PY, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        self.data = run_django_script(self.site, "bench_setup.py", 250, 100)
        self.log(
            f"site ready: {len(self.data['sessions'])} people, "
            f"{len(self.data['conversations'])} conversations"
        )

    @property
    def has_chat(self):
        return bool(self.data and self.data["conversations"])

    def tandem_ws_ready(self):
        """Tandem's /ws/ consumer exists when its routing has a pattern."""
        out = subprocess.run(
            [
                PY,
                "-c",
                "import django; django.setup();"
                "from tandem.realtime.routing import websocket_urlpatterns as w;"
                "print(len(w))",
            ],
            cwd=ROOT,
            env=django_env(self.site),
            capture_output=True,
            text=True,
            check=False,
        )
        return out.returncode == 0 and out.stdout.strip() not in ("", "0")

    def log(self, text):
        elapsed = time.monotonic() - self.started
        print(f"[{elapsed:6.0f}s] {text}", flush=True)

    def note(self, text):
        self.log("NOTE: " + text)
        self.results["notes"].append(text)

    def server(self, name, argv=None, env=None, port=None):
        port = port or free_port()
        return Server(
            name,
            argv or daphne_argv(port),
            env=env or django_env(self.site),
            port=port,
            log_dir=self.logs,
        )

    def cleanup(self):
        if self.args.keep:
            print(f"bench site kept at {self.site}")
        else:
            shutil.rmtree(self.site, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small subset, < 5 minutes")
    parser.add_argument("--rounds", type=int, default=0)
    parser.add_argument(
        "--only", default="", help="comma-separated sections: " + ",".join(SECTIONS)
    )
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument("--json", default="", help="also write the raw results here")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--profile", action="store_true", help="sample Tandem's server with py-spy (if installed)"
    )
    parser.add_argument("--grid", default="", help="fan-out cells as NxG,NxG (e.g. 10x1,10x100)")
    parser.add_argument("--cycles", type=int, default=0, help="connect/disconnect cycles")
    parser.add_argument("--verbose", action="store_true", help="log every step of the ramps")
    parser.add_argument("--keep", action="store_true", help="keep the bench site's files")
    parser.add_argument("--profiles", default="", help="with --report-only: the raw profiles")
    parser.add_argument(
        "--report-only", default="", help="render --out again from a --json file of a run"
    )
    args = parser.parse_args(argv)
    if args.report_only:
        import report

        results = json.loads(Path(args.report_only).read_text())
        if args.profiles:  # summarise the kept raw profiles again (a newer summary)
            import profiling

            for cell in (results.get("fanout") or {}).get("cells", []):
                raw = Path(args.profiles) / f"profile-tandem-{cell['n']}x{cell['g']}.txt"
                if raw.exists():
                    cell["profile"] = profiling.summarize(raw)
            raw = Path(args.profiles) / "profile-pages.txt"
            if raw.exists() and results.get("pages"):
                results["pages"]["profile"] = profiling.summarize(raw, top=25)
        Path(args.out).write_text(report.render(results))
        return

    common.pin_load_generator()
    common.raise_open_files(65536)
    # a TERM (timeout, Ctrl+C from make) still runs the finally blocks that stop servers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = Bench(args)
    sections = [s for s in (args.only.split(",") if args.only else SECTIONS) if s]
    import sections as sec

    try:
        bench.prepare()
        for name in sections:
            bench.log(f"== {name} ==")
            began = time.monotonic()
            try:
                bench.results[name] = getattr(sec, name)(bench)
            except Exception as exc:  # one failing section must not lose the others
                traceback.print_exc()
                bench.note(f"section {name} failed: {exc.__class__.__name__}: {exc}")
            bench.results.setdefault("section_s", {})[name] = round(time.monotonic() - began)
    finally:
        bench.cleanup()
    bench.results["machine"] = machine()
    bench.results["mode"] = "quick" if args.quick else "full"
    bench.results["rounds"] = bench.rounds
    bench.results["duration_s"] = round(time.monotonic() - bench.started)
    if args.json:
        Path(args.json).write_text(json.dumps(bench.results, indent=1, default=str))
    import report

    text = report.render(bench.results)
    Path(args.out).write_text(text)
    print(text)
    bench.log(f"written {args.out}")


def machine():
    model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    versions = {}
    for pkg in [
        "django",
        "channels",
        "daphne",
        "twisted",
        "websockets",
        "channels_redis",
        "uvicorn",
    ]:
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[pkg] = version(pkg.replace("_", "-"))
    mem = ""
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        mem = f.readline().split(":", 1)[1].strip()
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "versions": versions,
        "sqlite": __import__("sqlite3").sqlite_version,
    }


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def run_async(coro):
    return asyncio.run(coro)


__all__ = ["Bench", "Servers", "median", "ratio_summary", "run_async", "shuffled"]

if __name__ == "__main__":
    main()
