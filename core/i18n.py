"""The language of a response: the user's stored choice, Partner Center's ``X-Locale``, the browser.

Order, after Django's ``LocaleMiddleware`` has read the language cookie and ``Accept-Language``:

- ``/v1/…`` (Partner Center's REST API): ``X-Locale`` when it names a supported language
  (``pt-BR``, ``en-US``); otherwise what ``LocaleMiddleware`` chose from ``Accept-Language``.
  A stored preference never applies to the API: a client names its language per call.
- ``/graph/…``: ``Accept-Language`` only (Graph's header), already applied.
- every other page: a signed-in user's stored ``language`` when set.

Rule ids, enum values and field names never change with the language; only the words do.
"""

from django.conf import settings
from django.db import DatabaseError, InterfaceError
from django.utils import translation

API_PREFIXES = ("/v1/", "/graph/")


def supported_language(tag: str | None) -> str | None:
    """The supported language code for a BCP 47 tag (``pt-BR`` → ``pt-br``), or ``None``."""
    if not tag:
        return None
    try:
        return translation.get_supported_language_variant(tag.strip().lower())
    except LookupError:
        return None


def bcp47(code: str) -> str:
    """``pt-br`` → ``pt-BR``: a language code written as HTML's ``lang`` and HTTP expect it."""
    language, _, region = code.partition("-")
    return f"{language}-{region.upper()}" if region else language


def language_names() -> list[tuple[str, str]]:
    """``(code, name in its own language)`` for every language of the portal."""
    return list(settings.LANGUAGES)


def user_language(user) -> str | None:
    """The stored language of ``user`` when it is still a supported one."""
    return supported_language(getattr(user, "language", "") or None)


class PreferredLanguageMiddleware:
    """Activates the language of the request (see the module's order); after authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self.language_for(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)

    @staticmethod
    def language_for(request) -> str | None:
        path = request.path_info
        if path.startswith("/v1/"):
            return supported_language(request.headers.get("X-Locale"))
        if path.startswith(API_PREFIXES):
            return None
        user = getattr(request, "user", None)
        try:
            if user is not None and user.is_authenticated:
                return user_language(user)
        except (DatabaseError, InterfaceError):
            # Signed-in state unknown without the database: the view answers 503 (core.security).
            return None
        return None
