"""Tandem's own settings, with a URLconf that adds the bench-only "hello" view.

The per-connection frame limit is read from the environment here because the
benchmark's senders post far faster than a person; everything else is Tandem's.
"""

import os

from tandem.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
if os.environ.get("WS_FRAMES_PER_MINUTE"):
    TANDEM.setdefault("WS_FRAMES_PER_MINUTE", int(os.environ["WS_FRAMES_PER_MINUTE"]))  # noqa: F405
