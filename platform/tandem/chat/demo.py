"""Demo chat for ``seed_demo``: a few messages in several languages (idempotent)."""

from django.utils import timezone

from tandem.spaces.models import Membership

from . import actions

LINES = [
    (
        "tutor",
        "Welcome to the group chat! Ask anything about **work**, courses or *language*.",
        "en",
    ),
    ("yusuf", "مرحبا بالجميع، هل يعرف أحد دورة لغة مسائية؟", "ar"),
    ("olena", "Привіт! Я ходжу на курс фінської мови у вівторок.", "uk"),
    ("tutor", "@yusuf there is an evening course at the library:\n- Tuesdays\n- Thursdays", "en"),
    ("counsellor", "Muistakaa tiistain tapaaminen klo 17.", "fi"),
]


def seed(demo):
    group = demo["group"]
    people = demo["people"]
    conversation = actions.main_conversation(space=group)
    conversation.space = group
    Membership.objects.filter(
        space=group, user__username__in={u for u, _t, _l in LINES}, rules_accepted__isnull=True
    ).update(rules_accepted=timezone.now())
    for n, (username, text, lang) in enumerate(LINES):
        actions.post_message(
            actor=people[username],
            conversation=conversation,
            body=text,
            client_id=f"demo-{n}",
            lang=lang,
        )
