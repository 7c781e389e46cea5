from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from tandem.accounts import actions as account_actions

from . import notifications
from .models import Notification


def set_language(request):
    """The language switcher: a plain form, remembered on the profile when signed in."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(
        request.user._meta.get_field("interface_language").choices
    ):
        account_actions.update_profile(
            actor=request.user, user=request.user, interface_language=language
        )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.POST = request.POST.copy()
        request.POST["next"] = "/"
    return django_set_language(request)


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def too_many_tries(request):
    """A clear page for a rate limit that was reached (HTTP 429)."""
    return render(request, "429.html", status=429)


@login_required
def notification_list(request):
    page = Paginator(
        Notification.objects.filter(user=request.user), settings.TANDEM["PAGE_SIZE"]
    ).get_page(request.GET.get("page"))
    return render(request, "core/notification_list.html", {"page": page})


@login_required
@require_POST
def notifications_read(request):
    notifications.mark_read(actor=request.user)
    return redirect("notifications")
