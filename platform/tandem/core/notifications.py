"""The one way to tell people something in the app.

``notify`` stores a row per person (inside the caller's transaction) and,
after commit, pushes it to the person's open sockets on their own topic.
"""

from django.db import transaction
from django.utils import timezone

from tandem.realtime import publish

from .models import Notification


def notify(*, users, kind, text, url="", space=None):
    """Store and push one notification to each of ``users`` (people or ids)."""
    user_ids = sorted({getattr(u, "pk", u) for u in users if u is not None})
    rows = Notification.objects.bulk_create(
        [
            Notification(user_id=uid, kind=kind, text=str(text)[:300], url=url, space=space)
            for uid in user_ids
        ]
    )

    def push():
        for row in rows:
            publish.send_to_user(
                row.user_id,
                {
                    "type": "notification.new",
                    "id": row.pk,
                    "kind": row.kind,
                    "text": row.text,
                    "url": row.url,
                },
            )

    transaction.on_commit(push)
    return rows


def mark_read(*, actor, ids=None):
    """Mark the person's own notifications read (all of them when ``ids`` is None)."""
    rows = Notification.objects.filter(user=actor, read__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read=timezone.now())


def unread_count(user):
    return Notification.objects.filter(user=user, read__isnull=True).count()
