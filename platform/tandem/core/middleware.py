import zoneinfo

from django.conf import settings
from django.utils import timezone, translation


class UserPreferencesMiddleware:
    """A signed-in person's own language and time zone win over the browser's.

    Runs after LocaleMiddleware (which reads the cookie, then Accept-Language)
    and after authentication, so anonymous visitors keep the browser's choice.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        user = request.user
        tz = None
        if user.is_authenticated:
            if user.interface_language in self.languages:
                translation.activate(user.interface_language)
                request.LANGUAGE_CODE = user.interface_language
            if user.time_zone:
                try:
                    tz = zoneinfo.ZoneInfo(user.time_zone)
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    tz = None
        if tz:
            timezone.activate(tz)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
