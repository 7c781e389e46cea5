"""The socket's origin check: the same rule as Django's CSRF check of a form post.

A browser sends ``Origin`` with every WebSocket upgrade, and the session cookie
with it whichever page opened the socket, so a foreign page could act as the
person. A socket opens only when its ``Origin`` is the site's own (scheme,
host and port, as the request itself arrived: ``ws`` is ``http``, ``wss`` is
``https``, or what the proxy says when ``SECURE_PROXY_SSL_HEADER`` is set), or
is listed in ``CSRF_TRUSTED_ORIGINS``; and the request's host must be one of
``ALLOWED_HOSTS``. A host check alone would let ``http://`` pages reach an
``https`` site, or another port of the same host.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.http.request import is_same_domain


class _Upgrade(HttpRequest):
    """The upgrade request as Django sees a request: its headers, server and scheme."""

    def __init__(self, scope):
        super().__init__()
        for name, value in scope.get("headers", []):
            key = name.decode("latin-1").upper().replace("-", "_")
            self.META[f"HTTP_{key}"] = value.decode("latin-1")
        server = scope.get("server") or ("", None)
        self.META["SERVER_NAME"] = server[0] or ""
        self.META["SERVER_PORT"] = str(server[1] or "")
        self._secure_scheme = scope.get("scheme") == "wss"

    def _get_scheme(self):
        return "https" if self._secure_scheme else "http"


def origin_allowed(scope):
    """True when the upgrade in ``scope`` comes from the site itself or a trusted origin."""
    request = _Upgrade(scope)
    origin = request.META.get("HTTP_ORIGIN")
    if not origin:
        return False
    try:
        host = request.get_host()
    except DisallowedHost:
        return False
    if origin == f"{request.scheme}://{host}":
        return True
    trusted = settings.CSRF_TRUSTED_ORIGINS
    if origin in {entry for entry in trusted if "*" not in entry}:
        return True
    try:
        parsed = urlsplit(origin)
    except ValueError:
        return False
    return any(
        is_same_domain(parsed.netloc, urlsplit(entry).netloc.lstrip("*"))
        for entry in trusted
        if "*" in entry and urlsplit(entry).scheme == parsed.scheme
    )


class SameOriginValidator:
    """ASGI middleware: refuse (HTTP 403) a socket whose origin is not the site's."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
