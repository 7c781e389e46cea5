"""The embedded layer sweeps for expired entries at a pace, not on every delivery."""

import pytest
from channels.layers import InMemoryChannelLayer
from tandem.realtime.layers import PacedInMemoryChannelLayer


@pytest.fixture
def sweeps(monkeypatch):
    calls = []
    original = InMemoryChannelLayer._clean_expired

    def counting(self):
        calls.append(1)
        original(self)

    monkeypatch.setattr(InMemoryChannelLayer, "_clean_expired", counting)
    return calls


async def test_many_deliveries_sweep_once_within_the_pace(sweeps):
    layer = PacedInMemoryChannelLayer(sweep_seconds=60)
    names = [await layer.new_channel() for _ in range(50)]
    for name in names:
        await layer.group_add("g", name)
    for i in range(20):
        await layer.group_send("g", {"type": "x", "n": i})
    for name in names:
        assert (await layer.receive(name))["n"] == 0
    assert len(sweeps) == 1


async def test_expired_messages_still_go_once_the_pace_allows(monkeypatch):
    layer = PacedInMemoryChannelLayer(sweep_seconds=0, expiry=1)
    stale = await layer.new_channel()
    fresh = await layer.new_channel()
    await layer.group_add("g", stale)
    await layer.group_add("g", fresh)
    clock = [1_000_000.0]
    monkeypatch.setattr("channels.layers.time.time", lambda: clock[0])
    await layer.send(stale, {"type": "old"})
    clock[0] += 5
    await layer.send(fresh, {"type": "new"})
    await layer.group_send("g", {"type": "after"})
    # The stale channel's message expired: it left the group, as with the stock layer.
    assert stale not in layer.groups["g"]
    assert (await layer.receive(fresh))["type"] == "new"
