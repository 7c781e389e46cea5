"""E-mail people the mentions and replies they have not read while away.

A scheduler runs it (say every 30 minutes). Only unread, not yet e-mailed
notifications older than ``--minutes`` count, only for people who have an
e-mail address and keep "send me e-mail about what I missed" on; each is
marked e-mailed so it is never sent twice.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tandem.core import mail
from tandem.core.models import Notification
from tandem.spaces.models import Membership

KINDS = ("chat.mention", "chat.reply")


class Command(BaseCommand):
    help = "E-mail unread chat mentions and replies to people who were away."

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes",
            type=int,
            default=30,
            help="Only notifications unread for at least this long (default 30).",
        )

    def handle(self, *args, minutes, **options):
        cutoff = timezone.now() - timedelta(minutes=minutes)
        pending = Notification.objects.filter(
            kind__in=KINDS,
            read__isnull=True,
            emailed__isnull=True,
            created__lte=cutoff,
            user__email_digest=True,
            user__is_active=True,
        ).exclude(user__email="")
        # a person who has left the space since gets none of its words by e-mail
        still_in = Membership.objects.filter(
            space_id=OuterRef("space_id"), user_id=OuterRef("user_id")
        )
        pending = pending.filter(Q(space__isnull=True) | Exists(still_in))
        user_ids = sorted(set(pending.values_list("user_id", flat=True)))
        people = get_user_model().objects.in_bulk(user_ids)
        sent = 0
        for user_id in user_ids:
            sent += self._send(people[user_id], pending.filter(user_id=user_id))
        self.stdout.write(f"Sent {sent} digest(s).")

    def _send(self, person, rows):
        with transaction.atomic():
            notes = list(rows.select_for_update().order_by("created", "pk")[:50])
            if not notes:
                return 0
            language = person.interface_language or settings.LANGUAGE_CODE
            context = {
                "person": person,
                "notes": notes,
                "site_url": settings.TANDEM["SITE_URL"].rstrip("/"),
            }
            with translation.override(language):
                subject = " ".join(
                    render_to_string("chat/emails/mention_digest_subject.txt", context).split()
                )
                body = render_to_string("chat/emails/mention_digest.txt", context)
            Notification.objects.filter(pk__in=[n.pk for n in notes]).update(emailed=timezone.now())
            if not mail.send(subject=subject, body=body, to=person.email):
                transaction.set_rollback(True)  # still unsent: the next run tries again
                return 0
        return 1
