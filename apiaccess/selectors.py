"""Reads about personal API tokens (only ever the acting user's own) and app registrations (the
actor's partner's, for its admin agents only)."""

from django.db.models import Prefetch, QuerySet

from core.models import ApiToken
from partners.choices import PartnerCenterRole
from partners.models import SecurityGroup, User

from .models import AppRegistration


def api_token_list(*, actor: User) -> QuerySet[ApiToken]:
    """The actor's own tokens, newest first (expired ones included until knox deletes them)."""
    return ApiToken.objects.filter(user=actor).order_by("-created")


def application_list(*, actor: User) -> QuerySet[AppRegistration]:
    """The partner's app registrations that are not removed, with their secrets, groups and owner
    loaded (a constant number of queries); empty for anyone but the partner's admin agents."""
    if actor.partner_id is None or not actor.has_role(PartnerCenterRole.ADMIN_AGENT):
        return AppRegistration.objects.none()
    return (
        AppRegistration.objects.filter(partner_id=actor.partner_id, removed_at__isnull=True)
        .select_related("created_by", "service_user")
        .prefetch_related(
            "secrets",
            Prefetch("service_user__security_groups", queryset=SecurityGroup.objects.order_by("name")),
        )
        .order_by("display_name", "created_at")
    )


def application_get(*, actor: User, registration_id) -> AppRegistration:
    """One registration of ``application_list``; ``AppRegistration.DoesNotExist`` otherwise."""
    return application_list(actor=actor).get(pk=registration_id)
