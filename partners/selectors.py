"""Reads about partners and their users, scoped to the acting user."""

from django.db.models import QuerySet

from .models import SecurityGroup, User


def user_with_roles(*, user_id: int) -> User:
    """The user with partner, customer and roles loaded (one query for the row, one for the roles)."""
    return User.objects.select_related("partner", "customer").prefetch_related("roles").get(pk=user_id)


def partner_users(*, actor: User) -> QuerySet[User]:
    """The users of the actor's partner (empty for anyone without a partner)."""
    if actor.partner_id is None:
        return User.objects.none()
    return User.objects.filter(partner_id=actor.partner_id).order_by("username")


def security_group_list(*, actor: User) -> QuerySet[SecurityGroup]:
    """The actor's partner's security groups (Graph ``/groups``)."""
    if actor.partner_id is None:
        return SecurityGroup.objects.none()
    return SecurityGroup.objects.filter(partner_id=actor.partner_id).order_by("name", "id")


def security_group_members(*, group: SecurityGroup) -> QuerySet[User]:
    """Members of a group the caller obtained through ``security_group_list``."""
    return group.members.order_by("username", "id")
