import time

import pytest
import time_machine
from django.test import Client

from tests.world import ROLES, build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def client_for(world):
    """A signed-in test client for a role of the fixture world."""

    def make(role):
        client = Client()
        if role != "anonymous":
            client.force_login(world.people[role])
        return client

    return make


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


@pytest.fixture
def one_rate_window():
    """Rate limits count in fixed one-minute windows: keep a test's hits inside one."""
    now = time.time()
    with time_machine.travel(now - now % 60 + 1, tick=False):
        yield
