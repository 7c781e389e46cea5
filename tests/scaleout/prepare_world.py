"""Set up (or read back) the scale-out tests' own database, in the servers' environment.

``python tests/scaleout/prepare_world.py setup OUT.json``: migrate, then make an
operator, a peer group with a tutor and members who accepted the rules, one
conversation per test and a signed-in session per person; the facts (session keys,
user and conversation ids) go to OUT.json.

``python tests/scaleout/prepare_world.py dump CONVERSATION_ID``: print the stored
messages of a conversation (seq, id, author, client_id, body) as JSON, oldest first,
so a test can check what the database holds without importing Django itself.
"""

import json
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")

MEMBERS = 4
CONVERSATIONS = ("scaleout", "kill", "redis", "flush", "resume", "stall")


def _session_for(user):
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def setup(out_path):
    from django.core.management import call_command
    from tandem.accounts.models import Organisation, User
    from tandem.chat import actions as chat_actions
    from tandem.spaces import actions as space_actions
    from tandem.spaces.models import Role, Space

    call_command("migrate", "--noinput", verbosity=0)
    operator = User.objects.create_superuser(username="scaleout-operator", email="", password=None)
    org = Organisation.objects.create(name="Scale-out test organisation", country="FI")
    space = space_actions.create_space(
        actor=operator,
        organisation=org,
        kind=Space.Kind.PEER_GROUP,
        name="Scale-out group",
        rules="Be kind.",
    )
    tutor = User.objects.create_user(username="scaleout-tutor", password=None)
    space_actions.add_member(actor=operator, space=space, user=tutor, role=Role.TUTOR)
    people = [tutor]
    for i in range(MEMBERS):
        user = User.objects.create_user(username=f"scaleout-m{i}", password=None)
        space_actions.add_member(actor=operator, space=space, user=user, role=Role.MEMBER)
        people.append(user)
    for user in people:
        space_actions.accept_rules(actor=user, space=space)
    conversations = {"scaleout": chat_actions.main_conversation(space=space).pk}
    for name in CONVERSATIONS[1:]:
        conversations[name] = chat_actions.create_topic(actor=tutor, space=space, title=name).pk
    facts = {
        "space": space.pk,
        "conversations": conversations,
        "people": [
            {"username": u.username, "id": u.pk, "session": _session_for(u)} for u in people
        ],
    }
    pathlib.Path(out_path).write_text(json.dumps(facts, indent=2))


def dump(conversation_id):
    from tandem.chat.models import Message

    rows = Message.objects.filter(conversation_id=conversation_id).order_by("seq")
    print(
        json.dumps(
            [
                {
                    "seq": m.seq,
                    "id": m.pk,
                    "author": m.author_id,
                    "client_id": m.client_id,
                    "body": m.body,
                }
                for m in rows
            ]
        )
    )


if __name__ == "__main__":
    import django

    django.setup()
    if sys.argv[1] == "setup":
        setup(sys.argv[2])
    else:
        dump(int(sys.argv[2]))
