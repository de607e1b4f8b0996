"""Changes to partners' users."""

from django.conf import settings


def user_language_set(*, user, language: str) -> None:
    """Stores ``language`` (a code of ``settings.LANGUAGES``, or "" to follow the browser) as the
    language of ``user``'s pages and e-mails. Raises ``ValueError`` naming the field otherwise."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(f"language: '{language}' is not one of the portal's languages")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
