"""``user.<id>``: a person's own notifications, live and from the database."""

from django.db.models import Max

from tandem.core.models import Notification

from . import frames
from .topics import Grant, TopicKind, register


def notification_data(row):
    return {"id": row.pk, "kind": row.kind, "text": row.text, "url": row.url}


def authorize(user, key):
    if user.pk != key:
        return None
    head = Notification.objects.filter(user_id=key).aggregate(m=Max("id"))["m"] or 0
    return Grant(topic=f"user.{key}", space_id=None, head=head)


def backlog(grant, after, limit):
    user_id = int(grant.topic.split(".")[1])
    rows = Notification.objects.filter(user_id=user_id, pk__gt=after).order_by("pk")[:limit]
    return [
        (row.pk, frames.event(grant.topic, row.pk, "notification.new", notification_data(row)))
        for row in rows
    ]


def register_user_topic():
    register(TopicKind(name="user", authorize=authorize, backlog=backlog, contiguous=False))
