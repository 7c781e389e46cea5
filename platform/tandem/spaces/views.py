import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.core import ratelimit
from tandem.core.hooks import dashboard_sections, space_sections
from tandem.core.views import too_many_tries

from . import actions, queries
from .forms import InvitationForm, JoinCodeForm, NewPersonForm, NewSpaceForm, RoleForm, SpaceForm
from .models import Invitation, JoinRequest, Membership
from .permissions import Perm, can, membership_in, perms_in


@login_required
def dashboard(request):
    spaces, coordinates = queries.dashboard_spaces(request.user)
    return render(
        request,
        "spaces/dashboard.html",
        {"spaces": spaces, "sections": dashboard_sections(request), "coordinates": coordinates},
    )


@login_required
def space_new(request):
    """Coordinators set up a peer group or practitioner space of their organisation."""
    organisations = queries.organisations_coordinated_by(request.user)
    if not organisations.exists():
        raise PermissionDenied
    form = NewSpaceForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        space = actions.create_space(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The space is ready. Now invite its people."))
        return redirect("spaces:invitations", space_id=space.pk)
    return render(request, "spaces/space_form.html", {"form": form, "space": None})


@login_required
def space_edit(request, space_id):
    space = queries.access_space(request.user, space_id, Perm.MANAGE_MEMBERS)
    initial = {"name": space.name, "description": space.description, "rules": space.rules}
    form = SpaceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.update_space(actor=request.user, space=space, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("spaces:home", space_id=space.pk)
    return render(request, "spaces/space_form.html", {"form": form, "space": space})


@login_required
def space_home(request, space_id):
    space = queries.access_space(request.user, space_id)
    return render(
        request,
        "spaces/space_home.html",
        {
            "space": space,
            "perms": perms_in(request.user, space),
            "co_leads": queries.co_lead_status(space) if space.is_peer_group else None,
            "sections": space_sections(request, space),
        },
    )


@login_required
def member_list(request, space_id):
    space = queries.access_space(request.user, space_id)
    page = Paginator(queries.members_of(space), settings.TANDEM["PAGE_SIZE"]).get_page(
        request.GET.get("page")
    )
    manage = can(request.user, Perm.MANAGE_MEMBERS, space)
    return render(
        request,
        "spaces/member_list.html",
        {
            "space": space,
            "page": page,
            "manage": manage,
            "role_form": RoleForm(space=space) if manage else None,
            "co_leads": queries.co_lead_status(space) if space.is_peer_group else None,
        },
    )


def _membership(space, membership_id):
    return get_object_or_404(
        Membership.objects.select_related("user", "space"), pk=membership_id, space=space
    )


@login_required
@require_POST
def member_remove(request, space_id, membership_id):
    space = queries.access_space(request.user, space_id, Perm.MANAGE_MEMBERS)
    membership = _membership(space, membership_id)
    actions.remove_member(
        actor=request.user, membership=membership, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("%(name)s was removed from the space.") % {"name": membership.user})
    return redirect("spaces:members", space_id=space.pk)


@login_required
@require_POST
def member_role(request, space_id, membership_id):
    space = queries.access_space(request.user, space_id, Perm.MANAGE_MEMBERS)
    membership = _membership(space, membership_id)
    form = RoleForm(request.POST, space=space)
    if form.is_valid():
        actions.change_role(
            actor=request.user, membership=membership, role=form.cleaned_data["role"]
        )
        messages.success(request, _("The role is changed."))
    else:
        messages.error(request, _("Choose one of the roles in the list."))
    return redirect("spaces:members", space_id=space.pk)


@login_required
def join_requests(request, space_id):
    """The co-leads' list of coordinators asking to join the group."""
    space = queries.access_space(request.user, space_id, Perm.APPROVE_JOIN)
    page = Paginator(queries.join_requests_of(space), settings.TANDEM["PAGE_SIZE"]).get_page(
        request.GET.get("page")
    )
    return render(request, "spaces/join_requests.html", {"space": space, "page": page})


@login_required
@require_POST
def join_request_decide(request, space_id, request_id):
    space = queries.access_space(request.user, space_id, Perm.APPROVE_JOIN)
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("user", "space__organisation"),
        pk=request_id,
        space=space,
    )
    approve = request.POST.get("decision") == "approve"
    try:
        actions.decide_join_request(actor=request.user, request=join_request, approve=approve)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            (
                _("%(name)s is now a member. The chat before today stays closed to them.")
                if approve
                else _("You declined the request of %(name)s.")
            )
            % {"name": join_request.user.name},
        )
    return redirect("spaces:join_requests", space_id=space.pk)


@login_required
@require_POST
def member_open_history(request, space_id, membership_id):
    space = queries.access_space(request.user, space_id, Perm.APPROVE_JOIN)
    membership = _membership(space, membership_id)
    actions.open_history(actor=request.user, membership=membership)
    messages.success(
        request,
        _("%(name)s can now read the whole chat.") % {"name": membership.user.name},
    )
    return redirect("spaces:members", space_id=space.pk)


@login_required
def leave(request, space_id):
    """A member leaves the space, after saying so on a confirmation page."""
    space = queries.access_space(request.user, space_id)
    membership = membership_in(request.user, space)
    if membership is None:
        raise PermissionDenied
    last_co_lead = queries.is_last_co_lead(space, membership)
    if request.method == "POST":
        actions.leave_space(actor=request.user, space=space)
        messages.success(request, _("You left %(space)s.") % {"space": space.name})
        if last_co_lead:
            messages.warning(
                request,
                _("%(space)s now has no %(role)s. Its coordinators are told, so they can find one.")
                % {"space": space.name, "role": membership.get_role_display()},
            )
        return redirect("dashboard")
    return render(
        request,
        "spaces/leave.html",
        {"space": space, "membership": membership, "last_co_lead": last_co_lead},
    )


@login_required
def invitation_list(request, space_id):
    space = queries.access_space(request.user, space_id, Perm.INVITE)
    form = InvitationForm(request.POST or None, space=space)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = actions.create_invitation(
                actor=request.user,
                space=space,
                role=form.cleaned_data["role"],
                max_uses=form.cleaned_data["max_uses"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The invitation is ready. Share the link or the code."))
            return redirect(f"{reverse('spaces:invitations', args=[space.pk])}#inv-{invitation.pk}")
    page = Paginator(
        Invitation.objects.filter(space=space).select_related("created_by"),
        settings.TANDEM["PAGE_SIZE"],
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "spaces/invitation_list.html",
        {"space": space, "form": form, "page": page, "now": timezone.now()},
    )


@login_required
@require_POST
def invitation_revoke(request, space_id, invitation_id):
    space = queries.access_space(request.user, space_id, Perm.INVITE)
    invitation = get_object_or_404(Invitation, pk=invitation_id, space=space)
    actions.revoke_invitation(actor=request.user, invitation=invitation)
    messages.success(request, _("The invitation no longer works."))
    return redirect("spaces:invitations", space_id=space.pk)


@login_required
def invitation_qr(request, space_id, invitation_id):
    space = queries.access_space(request.user, space_id, Perm.INVITE)
    invitation = get_object_or_404(Invitation, pk=invitation_id, space=space)
    url = request.build_absolute_uri(reverse("spaces:join_link", args=[invitation.token]))
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    buffer = io.BytesIO()
    image.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def rules(request, space_id):
    space = queries.access_space(request.user, space_id)
    if request.method == "POST":
        actions.accept_rules(actor=request.user, space=space)
        next_url = request.POST.get("next") or reverse("spaces:home", args=[space.pk])
        if not next_url.startswith("/") or next_url.startswith("//"):
            next_url = reverse("spaces:home", args=[space.pk])
        return redirect(next_url)
    return render(
        request, "spaces/rules.html", {"space": space, "next": request.GET.get("next", "")}
    )


def _client_key(request):
    return ratelimit.client_ip(request)


def join(request):
    """Type the short code shown by a co-lead."""
    form = JoinCodeForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.hit(
            f"join:{_client_key(request)}", limit=settings.TANDEM["JOIN_ATTEMPTS_PER_MINUTE"]
        ):
            return too_many_tries(request)
        if form.is_valid():
            code = actions.normalise_code(form.cleaned_data["code"])
            invitation = Invitation.objects.filter(code=code).first()
            if invitation and invitation.is_usable():
                return redirect("spaces:join_link", token=invitation.token)
            form.add_error("code", _("This code does not work. Check it, or ask for a new one."))
    return render(request, "spaces/join.html", {"form": form})


def join_link(request, token):
    """Join with an invitation: signed in, at once; otherwise make an account."""
    invitation = Invitation.objects.select_related("space").filter(token=token).first()
    if invitation is None:
        raise Http404
    usable = invitation.is_usable()
    if request.user.is_authenticated:
        if request.method == "POST" and usable:
            try:
                joined = actions.accept_invitation(actor=request.user, invitation=invitation)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                if isinstance(joined, JoinRequest):
                    messages.success(
                        request,
                        _(
                            "Your request is sent. The group's tutor or counsellor "
                            "decides, and you will be told."
                        ),
                    )
                    return redirect("dashboard")
                return redirect("spaces:home", space_id=invitation.space_id)
        return render(
            request, "spaces/join_confirm.html", {"invitation": invitation, "usable": usable}
        )
    form = NewPersonForm(request.POST or None)
    if request.method == "POST" and usable:
        if not ratelimit.hit(f"signup:{_client_key(request)}", limit=20):
            return too_many_tries(request)
        if form.is_valid():
            try:
                user = actions.join_as_new_person(
                    invitation=invitation,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                    display_name=form.cleaned_data["display_name"],
                    language=get_language() or "",
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    form.add_error(None, error)
                for field, errors in getattr(error, "message_dict", {}).items():
                    target = {"password": "password1"}.get(field, field)
                    form.add_error(target if target in form.fields else None, errors)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request, _("Welcome! You are now in %(space)s.") % {"space": invitation.space}
                )
                return redirect("spaces:home", space_id=invitation.space_id)
    return render(
        request,
        "spaces/join_signup.html",
        {"invitation": invitation, "usable": usable, "form": form},
    )
