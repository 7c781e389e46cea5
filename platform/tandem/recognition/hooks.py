"""What recognition adds to shared pages: a dashboard section and a space menu link."""

from django.urls import reverse
from django.utils.translation import gettext as _

from tandem.core.hooks import dashboard_section, space_link
from tandem.spaces.permissions import Perm, can

from . import queries


@dashboard_section(40)
def dashboard(request):
    """Logs waiting on the person and the organisations they coordinate: one query."""
    figures = queries.dashboard_figures(request.user)
    if not any(figures.values()):
        return None
    return {"template": "recognition/partials/dashboard_section.html", **figures}


@space_link(40)
def space_menu(user, space):
    if not space.is_peer_group:
        return None
    if can(user, Perm.LOG_SESSION, space):
        return _("Log a session"), reverse("recognition:log_new", kwargs={"space_id": space.pk})
    if can(user, Perm.APPROVE_LOG, space):
        return _("Session logs"), reverse(
            "recognition:organisation", kwargs={"organisation_id": space.organisation_id}
        )
    if can(user, Perm.CONFIRM_LOG, space):
        return _("Logs to confirm"), reverse("recognition:to_confirm")
    return None
