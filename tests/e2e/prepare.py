"""Prepare the live server's own database for the browser tests.

Run in the server's environment (``python tests/e2e/prepare.py OUT.json``):
migrates, seeds the demo data, then adds what the browser tests need and
writes the facts they look up (ids, invitation codes) as JSON to OUT.json.

Apps add their own data with a ``prepare(data)`` function in
``tests/<app>/e2e_data.py``; ``data`` is a dict they may add JSON-able
facts to (under a key of their own). The demo objects are in ``data["demo"]``
(not written out).
"""

import importlib
import io
import json
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")


def main(out_path):
    import django

    django.setup()
    from django.core.management import call_command
    from tandem.accounts.models import Organisation, User
    from tandem.spaces import actions
    from tandem.spaces.models import Role, Space

    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())

    people = {user.username: user for user in User.objects.all()}
    group = Space.objects.get(name="Kallio job-seekers' group")
    practice = Space.objects.get(name="Empowering migrants for employment: partners")
    invitation = actions.create_invitation(
        actor=people["tutor"], space=group, role=Role.MEMBER, max_uses=50
    )
    data = {
        "demo": {"people": people, "group": group, "practice": practice},
        "spaces": {"group": group.pk, "practice": practice.pk},
        "organisations": {org.country: org.pk for org in Organisation.objects.all()},
        "invitation": {"id": invitation.pk, "code": invitation.code, "token": invitation.token},
        "password": "tandem-demo",
    }
    for path in sorted((ROOT / "tests").glob("*/e2e_data.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.e2e_data")
        module.prepare(data)
    data.pop("demo")
    pathlib.Path(out_path).write_text(json.dumps(data, indent=2, default=str))


if __name__ == "__main__":
    main(sys.argv[1])
