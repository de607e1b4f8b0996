"""App registrations: create, add and revoke secrets, remove — admin agents of the partner only.

Every change is one transaction with its audit event (``application.created``,
``application.secret_added``, ``application.secret_revoked``, ``application.removed``). A secret is
returned once, by the call that creates it; only its SHA-256 digest and its first three
characters are stored. Bad input raises ``ValidationError`` naming the field; an actor who is not
an admin agent of a partner gets ``PermissionDenied``; another partner's registration is
``AppRegistration.DoesNotExist`` (it does not exist for the actor).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.models import AbstractApplication, get_access_token_model, get_application_model

from audit.services import audit_event_record
from core.api.scopes import SCOPES
from partners.choices import PartnerCenterRole
from partners.models import GroupMembership, SecurityGroup, User, UserRole

from .models import AppRegistration, AppSecret
from .oauth import secret_digest

NAME_MAX = 100
# Lifetimes offered for a client secret (days); Entra recommends under 12 months, allows 24.
SECRET_LIFETIMES_DAYS = (30, 90, 180, 365, 730)
SECRET_LIFETIME_CHOICES = [(days, f"{days} days") for days in SECRET_LIFETIMES_DAYS]  # OpenAPI's enum
DEFAULT_SECRET_DAYS = 180
MAX_USABLE_SECRETS = 5
SERVICE_USER_PREFIX = "app:"


def _require_admin_agent(actor: User) -> None:
    if actor.partner_id is None or not actor.has_role(PartnerCenterRole.ADMIN_AGENT):
        raise PermissionDenied(_("Only the partner's admin agents manage app registrations."))


def application_registrations_visible(*, actor: User) -> bool:
    """Whether the actor may see and manage the partner's app registrations (admin agents)."""
    return actor.partner_id is not None and actor.has_role(PartnerCenterRole.ADMIN_AGENT)


def _clean_name(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [_("is required.")]})
    if len(value) > NAME_MAX:
        raise ValidationError({field: [_("must be at most %(max)s characters.") % {"max": NAME_MAX}]})
    return value


def _clean_scopes(scopes) -> list[str]:
    if not isinstance(scopes, list | tuple) or not scopes:
        raise ValidationError({"scopes": [_("needs at least one scope.")]})
    unknown = sorted({str(s) for s in scopes} - set(SCOPES))
    if unknown:
        raise ValidationError(
            {
                "scopes": [
                    _("unknown scope(s): %(unknown)s; known: %(known)s.")
                    % {"unknown": ", ".join(unknown), "known": ", ".join(SCOPES)}
                ]
            }
        )
    return sorted(set(scopes))


def _clean_lifetime(days) -> timedelta:
    if days is None:
        days = DEFAULT_SECRET_DAYS
    if isinstance(days, bool) or not isinstance(days, int) or days not in SECRET_LIFETIMES_DAYS:
        allowed = ", ".join(str(d) for d in SECRET_LIFETIMES_DAYS)
        raise ValidationError({"expiresInDays": [_("must be one of %(allowed)s.") % {"allowed": allowed}]})
    return timedelta(days=days)


def _groups_of_partner(actor: User, group_ids) -> list[SecurityGroup]:
    ids = []
    for value in group_ids or []:
        try:
            ids.append(uuid.UUID(str(value)))
        except ValueError:
            raise ValidationError(
                {"securityGroupIds": [_("%(value)s is not a group id.") % {"value": repr(value)}]}
            ) from None
    groups = list(SecurityGroup.objects.filter(partner_id=actor.partner_id, pk__in=ids))
    missing = sorted({str(i) for i in ids} - {str(g.pk) for g in groups})
    if missing:
        raise ValidationError(
            {"securityGroupIds": [_("no such group of your partner: %(ids)s.") % {"ids": ", ".join(missing)}]}
        )
    return groups


def _new_secret(
    registration: AppRegistration, *, description: str, lifetime: timedelta
) -> tuple[AppSecret, str]:
    secret = secrets.token_urlsafe(30)
    row = AppSecret.objects.create(
        registration=registration,
        description=description,
        hint=secret[:3],
        digest=secret_digest(secret),
        expires_at=timezone.now() + lifetime,
    )
    return row, secret


def _secret_audit(row: AppSecret) -> dict:
    return {
        "keyId": str(row.pk),
        "hint": row.hint,
        "displayName": row.description,
        "endDateTime": row.expires_at.isoformat(),
    }


def application_create(
    *,
    actor: User,
    display_name: str,
    scopes,
    security_group_ids=(),
    secret_description: str = "",
    secret_expires_in_days: int | None = None,
) -> tuple[AppRegistration, AppSecret, str]:
    """Register an application of the actor's partner; returns ``(registration, secret row,
    secret)`` — the secret exists only here.

    The app's service identity is a new partner user (``app:<client id>``, no usable password)
    holding the admin agent role and the chosen security groups' memberships: the rules that
    depend on the user (SR-PC-ROLE-ADMIN-AGENT, group-based GDAP assignments) are evaluated
    against it. Its e-mail and phone are the registering admin agent's: the contact of a request
    the app files without ``primaryContact``.

    Side effects: that user, its role and memberships, django-oauth-toolkit's ``Application``
    (client credentials, confidential), the registration, its first secret and the audit event
    ``application.created``, in one transaction.
    """
    _require_admin_agent(actor)
    display_name = _clean_name(display_name, "displayName")
    scopes = _clean_scopes(scopes)
    groups = _groups_of_partner(actor, security_group_ids)
    lifetime = _clean_lifetime(secret_expires_in_days)
    description = (secret_description or "").strip()[:NAME_MAX] or _("Initial secret")
    client_id = str(uuid.uuid4())
    with transaction.atomic():
        service_user = User(
            username=f"{SERVICE_USER_PREFIX}{client_id}",
            partner_id=actor.partner_id,
            first_name=display_name[:150],
            last_name="(application)",
            # The default contact of what the app files (a request body's primaryContact wins):
            # the partner's person who registered it.
            email=actor.email,
            phone=actor.phone,
        )
        service_user.set_unusable_password()
        service_user.save()
        UserRole.objects.create(user=service_user, role=PartnerCenterRole.ADMIN_AGENT)
        GroupMembership.objects.bulk_create([GroupMembership(group=g, user=service_user) for g in groups])
        application = get_application_model().objects.create(
            name=display_name,
            client_id=client_id,
            client_secret=secrets.token_urlsafe(32),  # never used: secrets are AppSecret rows
            client_type=AbstractApplication.CLIENT_CONFIDENTIAL,
            authorization_grant_type=AbstractApplication.GRANT_CLIENT_CREDENTIALS,
            user=service_user,
            redirect_uris="",
        )
        registration = AppRegistration.objects.create(
            partner_id=actor.partner_id,
            display_name=display_name,
            client_id=client_id,
            application=application,
            service_user=service_user,
            scopes=scopes,
            created_by=actor,
        )
        row, secret = _new_secret(registration, description=description, lifetime=lifetime)
        audit_event_record(
            action="application.created",
            actor=actor,
            obj=registration,
            after={
                "displayName": display_name,
                "clientId": client_id,
                "scopes": scopes,
                "securityGroupIds": sorted(str(g.pk) for g in groups),
                "secret": _secret_audit(row),
            },
        )
    return registration, row, secret


def _registration_for_update(actor: User, registration_id) -> AppRegistration:
    _require_admin_agent(actor)
    return AppRegistration.objects.select_for_update().get(
        pk=registration_id, partner_id=actor.partner_id, removed_at__isnull=True
    )


def application_secret_add(
    *, actor: User, registration_id, description: str = "", expires_in_days: int | None = None
) -> tuple[AppSecret, str]:
    """Add a secret (rotation: the others stay usable until revoked or expired, so a client can
    switch over); returns ``(row, secret)``. At most ``MAX_USABLE_SECRETS`` usable at once.
    Side effects: the secret row and ``application.secret_added``, in one transaction."""
    lifetime = _clean_lifetime(expires_in_days)
    description = (description or "").strip()
    if len(description) > NAME_MAX:
        raise ValidationError({"displayName": [_("must be at most %(max)s characters.") % {"max": NAME_MAX}]})
    with transaction.atomic():
        registration = _registration_for_update(actor, registration_id)
        usable = registration.secrets.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).count()
        if usable >= MAX_USABLE_SECRETS:
            raise ValidationError(
                {
                    "secrets": [
                        _("at most %(max)s usable secrets; revoke one before adding another.")
                        % {"max": MAX_USABLE_SECRETS}
                    ]
                }
            )
        row, secret = _new_secret(registration, description=description or _("Secret"), lifetime=lifetime)
        audit_event_record(
            action="application.secret_added", actor=actor, obj=registration, after=_secret_audit(row)
        )
    return row, secret


def application_secret_revoke(*, actor: User, registration_id, secret_id) -> AppSecret:
    """Revoke one secret: token requests with it fail from now on (tokens already issued run to
    their expiry, at most ``APP_TOKEN_TTL_SECONDS``). ``AppSecret.DoesNotExist`` for an unknown or
    already revoked secret. Side effects: ``revoked_at`` and ``application.secret_revoked``."""
    with transaction.atomic():
        registration = _registration_for_update(actor, registration_id)
        row = registration.secrets.get(pk=secret_id, revoked_at__isnull=True)
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        audit_event_record(
            action="application.secret_revoked",
            actor=actor,
            obj=registration,
            before=_secret_audit(row),
            after={"revokedAt": row.revoked_at.isoformat()},
        )
    return row


def application_remove(*, actor: User, registration_id) -> AppRegistration:
    """Remove an app: its ``Application`` and every token it holds are deleted (its requests get
    401 at once), its secrets revoked, its service identity deactivated; the registration stays,
    marked removed, for the audit trail. Side effects: those and ``application.removed``."""
    with transaction.atomic():
        registration = _registration_for_update(actor, registration_id)
        now = timezone.now()
        registration.secrets.filter(revoked_at__isnull=True).update(revoked_at=now)
        if registration.application_id is not None:
            get_access_token_model().objects.filter(application_id=registration.application_id).delete()
            get_application_model().objects.filter(pk=registration.application_id).delete()
        registration.application = None
        registration.removed_at = now
        registration.save(update_fields=["application", "removed_at"])
        User.objects.filter(pk=registration.service_user_id).update(is_active=False)
        audit_event_record(
            action="application.removed",
            actor=actor,
            obj=registration,
            before={"displayName": registration.display_name, "clientId": registration.client_id},
            after={"removedAt": now.isoformat()},
        )
    return registration
