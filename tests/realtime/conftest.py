import pytest
from channels.layers import channel_layers
from django.core.cache import cache

from tests.realtime.helpers import close_socket_thread_connections


@pytest.fixture(autouse=True)
def fresh_layer_and_cache():
    """Each test starts with an empty channel layer, rate limits and connection slots,
    and leaves no database connection open in the consumer's thread."""
    cache.clear()
    channel_layers.backends.clear()
    yield
    close_socket_thread_connections()
    cache.clear()
    channel_layers.backends.clear()
