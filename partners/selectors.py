"""Reads about partners and their users, scoped to the acting user."""

from django.db.models import QuerySet

from .models import User


def user_with_roles(*, user_id: int) -> User:
    """The user with partner, customer and roles loaded (one query for the row, one for the roles)."""
    return User.objects.select_related("partner", "customer").prefetch_related("roles").get(pk=user_id)


def partner_users(*, actor: User) -> QuerySet[User]:
    """The users of the actor's partner (empty for anyone without a partner)."""
    if actor.partner_id is None:
        return User.objects.none()
    return User.objects.filter(partner_id=actor.partner_id).order_by("username")
