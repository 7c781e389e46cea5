"""Is the session behind an open socket still good? And how many sockets has a person?"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.cache import cache
from django.utils.crypto import constant_time_compare

# A slot outlives a killed process by at most this long.
SLOT_TTL = 120


def session_is_current(session_key, user_id):
    """True while the session still exists, belongs to ``user_id``, and matches the
    person's password and active flag (the checks Django makes on each request)."""
    if not session_key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    data = store.load()
    if str(data.get(SESSION_KEY, "")) != str(user_id) or BACKEND_SESSION_KEY not in data:
        return False
    user = get_user_model().objects.filter(pk=user_id, is_active=True).only("password").first()
    if user is None:
        return False
    stored = data.get(HASH_SESSION_KEY) or ""
    return constant_time_compare(stored, user.get_session_auth_hash())


def _slot_key(user_id, slot):
    return f"ws:slot:{user_id}:{slot}"


def claim_slot(user_id, channel_name, limit):
    """Take one of the person's ``limit`` connection slots; None when all are taken.

    Slots live in the shared cache, so the limit holds across processes; a slot
    expires SLOT_TTL seconds after its socket stops refreshing it.
    """
    for slot in range(limit):
        if cache.add(_slot_key(user_id, slot), channel_name, timeout=SLOT_TTL):
            return slot
    return None


def refresh_slot(user_id, slot, channel_name):
    key = _slot_key(user_id, slot)
    if cache.get(key) == channel_name:
        cache.touch(key, SLOT_TTL)
    else:
        cache.add(key, channel_name, timeout=SLOT_TTL)


def release_slot(user_id, slot, channel_name):
    key = _slot_key(user_id, slot)
    if cache.get(key) == channel_name:
        cache.delete(key)
