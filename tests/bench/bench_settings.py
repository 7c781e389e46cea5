"""Tandem's own settings, with a URLconf that adds the bench-only "hello" view.

The benchmark's senders post far faster than a person, so it raises the
per-connection frame limit through the environment (WS_FRAMES_PER_MINUTE, read
by Tandem's settings); everything else is Tandem's.
"""

from tandem.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
