"""The language switcher: the header's form posts here."""

from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from core.i18n import supported_language
from partners.services import user_language_set


@require_POST
def language_set(request):
    """Switches the pages' language. Everyone gets Django's language cookie and is sent back to a
    safe ``next``; a signed-in user's choice is also stored, so it follows them to other browsers
    and to the e-mails they receive. An unknown language changes nothing."""
    response = set_language(request)
    language = supported_language(request.POST.get("language"))
    if language and request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    return response
