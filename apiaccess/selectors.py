"""Reads about personal API tokens: only ever the acting user's own."""

from django.db.models import QuerySet

from core.models import ApiToken
from partners.models import User


def api_token_list(*, actor: User) -> QuerySet[ApiToken]:
    """The actor's own tokens, newest first (expired ones included until knox deletes them)."""
    return ApiToken.objects.filter(user=actor).order_by("-created")
