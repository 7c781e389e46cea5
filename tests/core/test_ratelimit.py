from unittest import mock

from redis.exceptions import ConnectionError as RedisConnectionError
from tandem.core import ratelimit


def test_limit_is_reached_within_a_window(settings):
    assert all(ratelimit.hit("t:a", limit=3) for _ in range(3))
    assert ratelimit.hit("t:a", limit=3) is False
    assert ratelimit.hit("t:b", limit=3) is True


def test_an_unreachable_cache_lets_the_hit_through(caplog):
    with mock.patch.object(ratelimit.cache, "add", side_effect=RedisConnectionError("down")):
        assert ratelimit.hit("t:down", limit=0) is True
    assert "unreachable" in caplog.text
