"""A what-if for the in-memory channel layer, measured beside Tandem's real settings.

Channels' ``InMemoryChannelLayer`` walks every channel and every group membership
(``_clean_expired``) on each ``receive`` and each ``group_send``, so one delivery costs
time in proportion to the number of open connections. This subclass does that walk at
most once a second. It lives here only to measure what such a change would buy; the
``servers`` section runs it as "what-if" beside the real setup.
"""

import time

from channels.layers import InMemoryChannelLayer


class ThrottledCleanupLayer(InMemoryChannelLayer):
    _cleaned = 0.0

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._cleaned >= 1.0:
            self._cleaned = now
            super()._clean_expired()
