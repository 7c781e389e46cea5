"""The one way to tell people something in the app.

``notify`` stores a row per person (inside the caller's transaction) and,
after commit, pushes it to the person's open sockets on their own topic.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from tandem.realtime import publish

from . import hooks
from .models import Notification


def in_own_language(users, make_text):
    """``{user id: text}``, ``make_text()`` run once per language under that language.

    ``users`` are people or ids; the languages of bare ids are read in one query.
    """
    from tandem.accounts.models import User

    languages = {}
    for user in users:
        if user is None:
            continue
        if hasattr(user, "interface_language"):
            languages[user.pk] = user.interface_language
        else:
            languages.setdefault(user, None)
    unknown = [uid for uid, language in languages.items() if language is None]
    if unknown:
        languages.update(
            User.objects.filter(pk__in=unknown).values_list("pk", "interface_language")
        )
    texts = {}
    for language in set(languages.values()):
        with translation.override(language or settings.LANGUAGE_CODE):
            texts[language] = str(make_text())
    return {uid: texts[language] for uid, language in languages.items()}


def notify(*, users, kind, text, url="", space=None):
    """Store and push one notification to each of ``users`` (people or ids).

    ``text`` is a function of no arguments that builds the message: it runs in each
    recipient's own interface language, so nobody reads a notice in the sender's.
    """
    texts = in_own_language(users, text)
    rows = Notification.objects.bulk_create(
        [
            Notification(user_id=uid, kind=kind, text=texts[uid][:300], url=url, space=space)
            for uid in sorted(texts)
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
    marked = rows.update(read=timezone.now())
    if marked:
        transaction.on_commit(lambda: publish.unread_changed([actor.pk]))
    return marked


def unread_for_badge(user):
    """``(count, more)`` of unread notifications; one query that stops counting past the cap."""
    cap = hooks.BADGE_MAX
    count = Notification.objects.filter(user=user, read__isnull=True)[: cap + 1].count()
    return min(count, cap), count > cap
