"""What recognition adds to shared pages: a dashboard section and a space menu link."""

from django.urls import reverse
from django.utils.translation import gettext as _

from tandem.core.hooks import dashboard_section, space_link
from tandem.spaces.permissions import Perm, can

from . import queries
from .models import SessionLog


@dashboard_section(40)
def dashboard(request):
    """Three counts and the organisations the person coordinates: four queries, always."""
    user = request.user
    drafts = SessionLog.objects.filter(tutor=user, state=SessionLog.State.DRAFT).count()
    confirm = queries.to_confirm(user).count()
    approve = queries.to_approve(user).count()
    organisations = list(queries.coordinated_organisations(user))
    logged = SessionLog.objects.filter(tutor=user).exists()
    if not (drafts or confirm or approve or organisations or logged):
        return None
    return {
        "template": "recognition/partials/dashboard_section.html",
        "drafts": drafts,
        "confirm": confirm,
        "approve": approve,
        "organisations": organisations,
    }


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
