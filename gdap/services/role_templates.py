"""Role templates: named sets of Entra roles for a partner's role picker."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_event_record

from .. import permissions
from ..exceptions import GdapPermissionDenied, GdapValidationError
from ..models import RoleTemplate
from .common import resolve_roles


@transaction.atomic
def role_template_create(*, actor, name: str, role_ids) -> RoleTemplate:
    """Save a named set of Entra roles for the actor's partner's role picker.

    Contract: actor is an admin agent; the name is non-empty, at most 80 characters and unique for
    the partner. Side effects: the template row and its roles, one audit event."""
    if actor.partner_id is None or not permissions.is_admin_agent_of(actor, actor.partner_id):
        raise GdapPermissionDenied("", _("only a partner's admin agents may save role templates"))
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise GdapValidationError(_("a template name of 1 to 80 characters is required"), field="name")
    if RoleTemplate.objects.filter(partner_id=actor.partner_id, name=name).exists():
        raise GdapValidationError(
            _("you already have a template named '%(name)s'") % {"name": name}, field="name"
        )
    roles = resolve_roles(role_ids, field="roles")
    template = RoleTemplate.objects.create(partner_id=actor.partner_id, name=name)
    template.roles.set(roles)
    audit_event_record(
        action="gdap.role_template.created",
        actor=actor,
        obj=template,
        after={"name": name, "roles": sorted(str(r.pk) for r in roles)},
    )
    return template
