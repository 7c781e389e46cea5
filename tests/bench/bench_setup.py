"""Create the benchmark's people, space, conversations and sessions in the bench database.

Run under Django with the bench settings (``run.py`` does it); prints one JSON line:
session keys, the space and the conversation ids. Idempotent per name, so a second
call with more people or conversations only adds what is missing.
"""

import json
import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from tandem.accounts.models import Organisation, User  # noqa: E402
from tandem.spaces.models import Membership, Role, Space  # noqa: E402


def session_for(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def conversations(space, owner, count):
    """Conversations of the space, made through chat's own action when it has one."""
    try:
        from tandem.chat.models import Conversation
    except ImportError:
        return []
    have = list(Conversation.objects.filter(space=space).order_by("pk"))
    if len(have) < count:
        from tandem.chat import actions as chat_actions

        make = getattr(chat_actions, "create_conversation", None) or getattr(
            chat_actions, "start_conversation", None
        )
        for i in range(len(have), count):
            if make is not None:
                try:
                    make(actor=owner, space=space, title=f"Bench topic {i}")
                    continue
                except TypeError:
                    pass
            Conversation.objects.create(space=space, title=f"Bench topic {i}")
        have = list(Conversation.objects.filter(space=space).order_by("pk"))
    return [c.pk for c in have[:count]]


def main(people, conversation_count):
    org, _ = Organisation.objects.get_or_create(name="Bench organisation")
    space, _ = Space.objects.get_or_create(
        name="Bench group",
        organisation=org,
        defaults={"kind": Space.Kind.PEER_GROUP, "description": "", "rules": ""},
    )
    users = []
    for i in range(people):
        user, made = User.objects.get_or_create(
            username=f"bench{i:04d}",
            defaults={"display_name": f"Bench person {i}", "time_zone": "Europe/Helsinki"},
        )
        if made:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users.append(user)
    role = Role.MEMBER if space.is_peer_group else Role.PARTICIPANT
    have = set(Membership.objects.filter(space=space).values_list("user_id", flat=True))
    Membership.objects.bulk_create(
        [Membership(space=space, user=u, role=role) for u in users if u.pk not in have]
    )
    if hasattr(Membership, "rules_accepted"):
        from django.utils import timezone

        Membership.objects.filter(space=space, rules_accepted__isnull=True).update(
            rules_accepted=timezone.now()
        )
    sessions = [session_for(u) for u in users]
    convs = conversations(space, users[0], conversation_count)
    print(
        json.dumps(
            {
                "space": space.pk,
                "users": [u.pk for u in users],
                "sessions": sessions,
                "conversations": convs,
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
