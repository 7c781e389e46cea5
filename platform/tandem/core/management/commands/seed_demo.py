"""Demo data: organisations in three countries, a peer group, a practitioner space.

Idempotent: running it again finds what is there and adds only what is missing.
Each app may add its own demo data in ``tandem.<app>.demo.seed(demo)``.
"""

import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from tandem.accounts.models import LanguageSkill, Organisation, OrganisationRole, User
from tandem.core import richtext
from tandem.spaces.models import Membership, Role, Space

PASSWORD = "tandem-demo"  # noqa: S105 -- the published demo password

PEOPLE = [
    # username, display name, country, time zone, interface language
    ("coordinator", "Liisa Coordinator", "FI", "Europe/Helsinki", "fi"),
    # A second coordinator: the second pair of eyes on co-leads' roles.
    ("coordinator2", "Jussi Coordinator", "FI", "Europe/Helsinki", "fi"),
    ("tutor", "Amina Tutor", "FI", "Europe/Helsinki", "en"),
    ("counsellor", "Mikko Counsellor", "FI", "Europe/Helsinki", "fi"),
    ("yusuf", "Yusuf", "FI", "Europe/Helsinki", "ar"),
    ("olena", "Olena", "FI", "Europe/Helsinki", "uk"),
    ("hodan", "Hodan", "FI", "Europe/Helsinki", "so"),
    ("reza", "Reza", "FI", "Europe/Helsinki", "fa"),
    ("elif", "Elif", "FI", "Europe/Helsinki", "tr"),
    ("anna-se", "Anna (Malmö)", "SE", "Europe/Stockholm", "sv"),
    ("pieter-be", "Pieter (Gent)", "BE", "Europe/Brussels", "nl"),
    ("claire-be", "Claire (Liège)", "BE", "Europe/Brussels", "fr"),
]


class Command(BaseCommand):
    help = "Create demo organisations, people and spaces (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        orgs = {
            "FI": self._org("Helsinki Work Path", "FI"),
            "SE": self._org("Malmö Arbetsvägen", "SE"),
            "BE": self._org("Gent Werkpad", "BE"),
        }
        people = {}
        for username, name, country, zone, language in PEOPLE:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "display_name": name,
                    "country": country,
                    "time_zone": zone,
                    "interface_language": language,
                },
            )
            if created:
                user.set_password(PASSWORD)
                user.save(update_fields=["password"])
            people[username] = user
        for username, level in [("yusuf", "A2"), ("olena", "B1"), ("hodan", "A1"), ("tutor", "C1")]:
            LanguageSkill.objects.get_or_create(
                user=people[username], language="Finnish", defaults={"level": level}
            )
        for username in ("coordinator", "coordinator2"):
            OrganisationRole.objects.get_or_create(
                organisation=orgs["FI"],
                user=people[username],
                defaults={"role": OrganisationRole.Role.COORDINATOR},
            )
        OrganisationRole.objects.get_or_create(
            organisation=orgs["SE"],
            user=people["anna-se"],
            defaults={"role": OrganisationRole.Role.STAFF},
        )
        OrganisationRole.objects.get_or_create(
            organisation=orgs["BE"],
            user=people["pieter-be"],
            defaults={"role": OrganisationRole.Role.STAFF},
        )
        group = self._space(
            orgs["FI"],
            Space.Kind.PEER_GROUP,
            "Kallio job-seekers' group",
            "We meet on Tuesdays to talk about **work**, *language* and courses.",
            "1. Be kind and listen.\n2. What is said in the group stays in the group.\n"
            "3. Write in any language; simple words help everyone.",
        )
        for username, role in [
            ("tutor", Role.TUTOR),
            ("counsellor", Role.COUNSELLOR),
            ("yusuf", Role.MEMBER),
            ("olena", Role.MEMBER),
            ("hodan", Role.MEMBER),
            ("reza", Role.MEMBER),
            ("elif", Role.MEMBER),
        ]:
            Membership.objects.get_or_create(
                space=group,
                user=people[username],
                defaults={"role": role, "granted_by": people["coordinator"]},
            )
        practice = self._space(
            orgs["FI"],
            Space.Kind.PRACTITIONER,
            "Empowering migrants for employment: partners",
            "Partners from Finland, Sweden and Belgium learn together.",
            "",
        )
        for username, role in [
            ("coordinator", Role.COORDINATOR),
            ("counsellor", Role.PARTICIPANT),
            ("anna-se", Role.FACILITATOR),
            ("pieter-be", Role.PARTICIPANT),
            ("claire-be", Role.PARTICIPANT),
        ]:
            Membership.objects.get_or_create(
                space=practice, user=people[username], defaults={"role": role}
            )
        demo = {"orgs": orgs, "people": people, "group": group, "practice": practice}
        for config in apps.get_app_configs():
            if config.name.startswith("tandem."):
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed(demo)
        self.stdout.write(f"Demo logins (password for all: {PASSWORD}):")
        for username, name, _country, _zone, _lang in PEOPLE:
            self.stdout.write(f"  {username:<12} {name}")

    def _org(self, name, country):
        org, _created = Organisation.objects.get_or_create(name=name, defaults={"country": country})
        return org

    def _space(self, organisation, kind, name, description, rules):
        space, _created = Space.objects.get_or_create(
            organisation=organisation,
            name=name,
            defaults={
                "kind": kind,
                "description": description,
                "description_html": richtext.render(description),
                "rules": rules,
                "rules_html": richtext.render(rules),
            },
        )
        return space
