"""Tandem's URLs plus /bench-hello: the floor of a Django page on the same server."""

from django.http import HttpResponse
from django.urls import path
from tandem.urls import urlpatterns as tandem_urlpatterns


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("bench-hello", hello), *tandem_urlpatterns]
