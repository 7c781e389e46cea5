"""The embedded channel layer: Channels' in-memory layer, with its expiry sweep paced.

``InMemoryChannelLayer`` sweeps every channel and every group membership for
expired entries on each ``receive`` and each ``group_send``. One delivery then
costs time in proportion to the number of open sockets in the process, so a
message to a group of N costs N × (all sockets). Sweeping at most once per
``sweep_seconds`` keeps the same expiry rules (an entry may outlive its expiry
by that much) and makes a delivery cost the same with 10 or 5,000 sockets open.
"""

import time

from channels.layers import InMemoryChannelLayer


class PacedInMemoryChannelLayer(InMemoryChannelLayer):
    def __init__(self, sweep_seconds=1.0, **kwargs):
        super().__init__(**kwargs)
        self.sweep_seconds = sweep_seconds
        self._swept = float("-inf")

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._swept >= self.sweep_seconds:
            self._swept = now
            super()._clean_expired()
