from functools import cached_property

from django.conf import settings
from django.utils import translation

from . import hooks


class UnreadBadge:
    """The count beside "Notifications" in the header, counted only when a page shows it."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def _total(self):
        return hooks.unread_total(self.user)

    @property
    def count(self):
        return self._total[0]

    @property
    def more(self):
        return self._total[1]


def tandem(request):
    language = translation.get_language() or settings.LANGUAGE_CODE
    context = {
        "LANGUAGE_BIDI": translation.get_language_bidi(),
        "LANGUAGE_CODE": language,
        "TANDEM_LANGUAGES": settings.LANGUAGES,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["UNREAD"] = UnreadBadge(user)
    return context
