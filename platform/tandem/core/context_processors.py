from django.conf import settings
from django.utils import translation


def tandem(request):
    language = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "LANGUAGE_BIDI": translation.get_language_bidi(),
        "LANGUAGE_CODE": language,
        "TANDEM_LANGUAGES": settings.LANGUAGES,
    }
