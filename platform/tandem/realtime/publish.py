"""The only place that touches the channel layer.

Callers hand events over inside ``transaction.on_commit`` so nothing is
broadcast that the database does not hold.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def group_for(topic):
    """Channels group names allow letters, digits, hyphens, underscores, periods."""
    return f"t.{topic}"


def user_group(user_id):
    return f"u.{user_id}"


def send_to_topic(topic, event):
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group_for(topic), event)


def send_to_user(user_id, event):
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(user_group(user_id), event)


def access_changed(user_id, space_id=None):
    """Tell the person's open sockets to check their topics again."""
    send_to_user(user_id, {"type": "access.changed", "space": space_id})
