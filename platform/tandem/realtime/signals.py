"""Sockets of a person re-check their session when it may have ended.

Logging out over HTTP does not touch a Channels socket; these receivers
publish a ``session.check`` to the person's group, and each of their sockets
then verifies its own session and closes if it no longer holds.
"""

import logging

from allauth.account import signals as allauth_signals
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from . import publish

log = logging.getLogger(__name__)

WATCHED_FIELDS = {"password", "is_active"}


def _announce(user_id):
    transaction.on_commit(lambda: publish.session_changed(user_id))


def on_logged_out(sender, request=None, user=None, **kwargs):
    """End the session in the store before the sockets are told to re-check it.

    Django sends ``user_logged_out`` before it flushes the session; a socket
    that re-checked on this event would still find it and stream on until its
    next full check. Deleting it here (the flush that follows deletes nothing
    more) makes that re-check close exactly the sockets of this session.
    """
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        session.delete()
    if user is not None and user.pk:
        _announce(user.pk)


def on_password(sender, request=None, user=None, **kwargs):
    if user is not None and user.pk:
        _announce(user.pk)


def on_user_saved(sender, instance, created=False, update_fields=None, **kwargs):
    if created:
        return
    if update_fields is None or WATCHED_FIELDS & set(update_fields):
        _announce(instance.pk)


def on_role_changed(sender, instance, **kwargs):
    """A membership or organisation role changed anywhere (the admin, a shell included).

    The person's sockets are told at once, and the mark they read each round stays as
    the fallback should that event be lost.
    """
    user_id = instance.user_id
    space_id = getattr(instance, "space_id", None)  # an organisation role: every space

    def tell():
        try:
            publish.access_changed(user_id, space_id)
        except Exception:  # the layer is away: the mark (set first) still reaches the sockets
            log.exception("could not tell user %s's sockets of an access change", user_id)

    transaction.on_commit(tell)


def connect():
    user_logged_out.connect(on_logged_out, dispatch_uid="realtime.logged_out")
    for signal in (
        allauth_signals.password_changed,
        allauth_signals.password_set,
        allauth_signals.password_reset,
    ):
        signal.connect(on_password, dispatch_uid=f"realtime.password.{id(signal)}")
    post_save.connect(on_user_saved, sender=get_user_model(), dispatch_uid="realtime.user_saved")
    from tandem.accounts.models import OrganisationRole
    from tandem.spaces.models import Membership

    for model in (Membership, OrganisationRole):
        for signal in (post_save, post_delete):
            signal.connect(
                on_role_changed,
                sender=model,
                dispatch_uid=f"realtime.role.{model.__name__}.{id(signal)}",
            )
