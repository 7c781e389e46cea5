from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.i18n import set_language as django_set_language

from tandem.accounts import actions as account_actions


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
    return render(request, "core/too_many_tries.html", status=429)
