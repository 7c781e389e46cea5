"""The site's URLs plus two views that fail, for the error pages' tests."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from tandem.urls import handler429
from tandem.urls import urlpatterns as site_patterns

__all__ = ["handler429", "urlpatterns"]


def denied(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("test-denied/", denied), path("test-broken/", broken), *site_patterns]
