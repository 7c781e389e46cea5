"""Optional sampling profiles of a server process with py-spy (``run.py --profile``).

py-spy is not a dependency of Tandem: install it into the virtualenv to use this.
The collapsed stacks are summarised as the functions (file:function) that hold the
most samples, inclusive, restricted to Tandem's own code and to everything.
"""

import collections
import contextlib
import shutil
import signal
import subprocess
from pathlib import Path

from common import VENV_BIN

# Frames whose share the report explains (see report.py: CAUSES).
WATCH = [
    "channels/layers.py:InMemoryChannelLayer._clean_expired",
    "django/db/__init__.py:close_old_connections",
    "tandem/realtime/consumers.py:_revalidate",
    "tandem/chat/actions.py:post_message",
    "tandem/realtime/consumers.py:RealtimeConsumer.topic_event",
    "tandem/realtime/consumers.py:RealtimeConsumer._count_frame",
    "asgiref/sync.py:AsyncToSync.__call__",
    "tandem/core/middleware.py:UserPreferencesMiddleware.__call__",
]


def pyspy():
    path = VENV_BIN / "py-spy"
    return str(path) if path.exists() else shutil.which("py-spy")


class Profile:
    def __init__(self, pid, out):
        self.out = Path(out)
        self.proc = None
        exe = pyspy()
        if exe:
            self.proc = subprocess.Popen(
                [
                    exe,
                    "record",
                    "--pid",
                    str(pid),
                    "--rate",
                    "250",
                    "--format",
                    "raw",
                    "--nonblocking",
                    "--output",
                    str(self.out),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def summarize(path, top=15, prefix="tandem/"):
    """The functions with the most inclusive samples: [(share, frame)] overall and own code."""
    path = Path(path)
    if not path.exists():
        return {"total": 0, "all": [], "own": []}
    inclusive = collections.Counter()
    own = collections.Counter()
    total = 0
    idle = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        with contextlib.suppress(ValueError):
            count = int(count)
        if not isinstance(count, int):
            continue
        frames = stack.split(";")
        leaf = frames[-1] if frames else ""
        if "select (selectors.py" in leaf or "_worker (concurrent/futures/thread.py" in leaf:
            idle += count
            continue
        total += count
        seen = set()
        for frame in frames:
            name = frame.split(" (")[0]
            where = frame.split(" (")[-1].rstrip(")")
            key = f"{where.split(':')[0]}:{name}"
            if key in seen:
                continue
            seen.add(key)
            inclusive[key] += count
            if prefix in where:
                own[key] += count

    watched = {}
    for key, count in inclusive.items():
        for suffix in WATCH:
            if key.endswith(suffix):
                watched[suffix] = max(watched.get(suffix, 0), round(count / total, 3))

    def share(counter):
        return [(round(v / total, 3), k) for k, v in counter.most_common(top)] if total else []

    return {
        "total": total,
        "idle": idle,
        "all": share(inclusive),
        "own": share(own),
        "watch": watched,
    }
