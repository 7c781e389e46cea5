"""Tandem's own settings, with a URLconf that adds the bench-only "hello" view.

The per-connection frame limit is read from the environment here because the
benchmark's senders post far faster than a person; everything else is Tandem's,
unless ``BENCH_WHAT_IF=1`` asks for the what-if of the ``servers`` section: SQLite
connections kept open between requests and an in-memory layer that cleans up once a
second (see bench_layer.py).
"""

import os

from tandem.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
if os.environ.get("WS_FRAMES_PER_MINUTE"):
    TANDEM.setdefault("WS_FRAMES_PER_MINUTE", int(os.environ["WS_FRAMES_PER_MINUTE"]))  # noqa: F405

if os.environ.get("BENCH_WHAT_IF") == "1":
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
        DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405
    if CHANNEL_LAYERS["default"]["BACKEND"].endswith("InMemoryChannelLayer"):  # noqa: F405
        CHANNEL_LAYERS = {"default": {"BACKEND": "bench_layer.ThrottledCleanupLayer"}}
