import pytest
from channels.layers import channel_layers
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_layer_and_cache():
    """Each test starts with an empty channel layer, rate limits and connection slots."""
    cache.clear()
    channel_layers.backends.clear()
    yield
    cache.clear()
    channel_layers.backends.clear()
