"""The fixture world that the guards walk.

Two organisations in two countries, each with a peer group, and a shared
practitioner space; one person per role; every stored text field seeded with
a unique canary, so a test can prove that nothing of another space shows.

Apps add their own objects with an ``extend(world)`` function in
``tests/<app>/world_ext.py``; each canary they store goes through
``world.canary(owner, label)`` so the guards know whose it is.
"""

import importlib
import pathlib
from dataclasses import dataclass, field

from tandem.accounts.models import Organisation, OrganisationRole, User
from tandem.core import richtext
from tandem.spaces.models import Membership, Role, Space

PASSWORD = "correct horse battery staple"

# Every role the guards try, with the spaces (by key) the role may see.
ROLES = [
    "anonymous",
    "outsider",
    "member",
    "tutor",
    "counsellor",
    "participant",
    "facilitator",
    "coordinator",
    "other_coordinator",
    "staff",
]


@dataclass
class World:
    orgs: dict = field(default_factory=dict)
    spaces: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    # canary text -> key of the space it belongs to ("user:<role>" for personal data)
    canaries: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def canary(self, owner, label):
        text = f"CANARY{len(self.canaries):04d}x{label}".replace(" ", "")
        self.canaries[text] = owner
        return text

    def user(self, role):
        return None if role == "anonymous" else self.people[role]


# Which spaces' canaries each role may see somewhere.
VISIBLE = {
    "anonymous": set(),
    "outsider": {"group_b"},
    "member": {"group_a"},
    "tutor": {"group_a"},
    "counsellor": {"group_a"},
    "participant": {"practice"},
    "facilitator": {"practice"},
    "coordinator": {"group_a", "practice"},
    "other_coordinator": {"group_b"},
    "staff": set(),
}


def _person(world, role, **extra):
    user = User.objects.create_user(
        username=role,
        password=PASSWORD,
        email=f"{role}@example.org",
        display_name=f"{role.capitalize()} Person",
        **extra,
    )
    # A person's e-mail is theirs alone; no page of others may show it.
    user.last_name = world.canary(f"user:{role}", "private")
    user.save(update_fields=["last_name"])
    world.people[role] = user
    return user


def _space(world, key, organisation, kind):
    description = world.canary(key, "description")
    rules = world.canary(key, "rules")
    space = Space.objects.create(
        organisation=organisation,
        kind=kind,
        name=f"{key} {world.canary(key, 'name')}",
        description=description,
        description_html=richtext.render(description),
        rules=rules,
        rules_html=richtext.render(rules),
    )
    world.spaces[key] = space
    return space


def build_world():
    world = World()
    world.orgs["a"] = Organisation.objects.create(name="Org A Helsinki", country="FI")
    world.orgs["b"] = Organisation.objects.create(name="Org B Gent", country="BE")
    for role in ROLES[1:]:
        _person(world, role, is_staff=(role == "staff"), is_superuser=(role == "staff"))
    group_a = _space(world, "group_a", world.orgs["a"], Space.Kind.PEER_GROUP)
    group_b = _space(world, "group_b", world.orgs["b"], Space.Kind.PEER_GROUP)
    practice = _space(world, "practice", world.orgs["a"], Space.Kind.PRACTITIONER)
    people = world.people
    Membership.objects.bulk_create(
        [
            Membership(space=group_a, user=people["member"], role=Role.MEMBER),
            # Co-leads given their roles by the operator: a second pair of eyes
            # beside the coordinator who approves their session logs.
            Membership(
                space=group_a, user=people["tutor"], role=Role.TUTOR, granted_by=people["staff"]
            ),
            Membership(
                space=group_a,
                user=people["counsellor"],
                role=Role.COUNSELLOR,
                granted_by=people["staff"],
            ),
            Membership(space=group_b, user=people["outsider"], role=Role.MEMBER),
            Membership(space=practice, user=people["participant"], role=Role.PARTICIPANT),
            Membership(space=practice, user=people["facilitator"], role=Role.FACILITATOR),
        ]
    )
    OrganisationRole.objects.create(
        organisation=world.orgs["a"], user=people["coordinator"], role="coordinator"
    )
    OrganisationRole.objects.create(
        organisation=world.orgs["b"], user=people["other_coordinator"], role="coordinator"
    )
    for module in _extensions():
        module.extend(world)
    return world


def _extensions():
    root = pathlib.Path(__file__).parent
    for path in sorted(root.glob("*/world_ext.py")):
        yield importlib.import_module(f"tests.{path.parent.name}.world_ext")
