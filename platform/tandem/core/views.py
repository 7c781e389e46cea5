import re

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


# Fields never written back into a page: credentials and one-time secrets.
SECRET_FIELD = re.compile(r"password|token|secret|key|code|otp|csrf", re.IGNORECASE)


def _same_origin(request):
    """True unless the browser says the post came from another site.

    Only then is the typed text shown again: a page of another site could
    otherwise fill our form with its own words for a person to send.
    """
    origin = request.headers.get("Origin")
    if origin and origin != f"{request.scheme}://{request.get_host()}":
        return False
    return request.headers.get("Sec-Fetch-Site", "same-origin") in {"same-origin", "none"}


def csrf_failure(request, reason=""):
    """A post whose security token no longer holds (signed out and in elsewhere, an old
    tab): nothing is stored, and what the person typed comes back in a form with a
    fresh token, posting to the same address, ready to send again."""
    fields = []
    if request.method == "POST" and _same_origin(request):
        for name, values in request.POST.lists():
            if SECRET_FIELD.search(name):
                continue
            for value in values:
                long = "\n" in value or len(value) > 80 or name in {"body", "text", "message"}
                fields.append({"name": name, "value": value, "long": long})
    return render(
        request,
        "errors/csrf_failure.html",
        {
            "fields": fields,
            "typed": any(field["long"] for field in fields),
            "action": request.get_full_path(),
        },
        status=403,
    )


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
