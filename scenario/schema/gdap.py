"""The ``gdap_relationships`` section: GDAP relationships and their access assignments."""

from __future__ import annotations

from gdap.choices import (
    AUTO_EXTEND_OFF,
    AUTO_EXTEND_ON,
    DISPLAY_NAME_MAX,
    MAX_DURATION,
    MIN_DURATION,
    AssignmentStatus,
)
from gdap.durations import format_iso_duration
from gdap.models import Relationship
from gdap.roles import GLOBAL_ADMINISTRATOR
from partners.choices import PartnerType

from .. import rules
from .fields import join
from .plan import AssignmentSpec, RelationshipSpec
from .references import Checker, wrong_type


def relationships_validate(checker: Checker, doc: dict) -> list[RelationshipSpec]:
    """The ``gdap_relationships`` section."""
    seen: set[tuple[str, str]] = set()
    seen_ids: set[str] = set()
    out = []
    for path, raw in checker.items(doc, "", "gdap_relationships"):
        data = checker.mapping(raw, path, rules.RELATIONSHIP_KEYS)
        if data is None:
            continue
        spec = relationship_validate(checker, data, path, seen, seen_ids)
        if spec is not None:
            out.append(spec)
    return out


def relationship_validate(checker: Checker, data, path, seen, seen_ids) -> RelationshipSpec | None:
    """One GDAP relationship: the GDAP rules on its name, roles, duration, auto-extension, status and
    lifecycle times, and its access assignments; None on any problem."""
    errors_before = len(checker.errors)
    partner = checker.partner_ref(data, path, "partner")
    customer = checker.customer_ref(data, path, "customer")
    display_name = checker.text(data, path, "display_name", required=True)
    if display_name is not None and len(display_name) > DISPLAY_NAME_MAX:
        checker.error(
            join(path, "display_name"),
            f"GDAP-NAME: at most {DISPLAY_NAME_MAX} characters, got {len(display_name)}",
        )
    relationship_id = checker.text(data, path, "id", max_length=73, default=None)
    if relationship_id is not None:
        if relationship_id in seen_ids:
            checker.error(join(path, "id"), f"duplicate id {relationship_id!r}")
        seen_ids.add(relationship_id)
    if partner is not None and display_name is not None:
        key = (partner.name, display_name)
        if key in seen:
            checker.error(
                join(path, "display_name"),
                f"GDAP-NAME: duplicate display name {display_name!r} for partner {partner.name!r}",
            )
        seen.add(key)
        if checker.use_db and relationship_id is not None:
            clash = Relationship.objects.filter(partner__name=partner.name, display_name=display_name)
            if clash.exclude(pk=relationship_id).exists():
                checker.error(
                    join(path, "id"),
                    f"GDAP-NAME: partner {partner.name!r} already has a relationship {display_name!r} "
                    "with another id",
                )
    roles = checker.entra_roles(data, path, "roles")
    duration = checker.duration(data, path, "duration", required=True)
    if duration is not None and not (MIN_DURATION <= duration <= MAX_DURATION):
        checker.error(
            join(path, "duration"),
            f"GDAP-DURATION: must be between P1D and P730D, got {format_iso_duration(duration)}",
        )
    auto_extend = checker.duration(data, path, "auto_extend", default=AUTO_EXTEND_OFF)
    if auto_extend is not None and auto_extend not in (AUTO_EXTEND_OFF, AUTO_EXTEND_ON):
        checker.error(
            join(path, "auto_extend"),
            f"GDAP-AUTO-EXTEND: must be PT0S or P180D, got {format_iso_duration(auto_extend)}",
        )
    if auto_extend == AUTO_EXTEND_ON and roles and GLOBAL_ADMINISTRATOR in roles:
        checker.error(
            join(path, "auto_extend"),
            "GDAP-AUTO-EXTEND-NO-GA: a relationship that includes Global Administrator can't auto-extend",
        )
    status = checker.choice(data, path, "status", rules.GDAP_STATUSES, "GDAP status", required=True)
    created = checker.time(data, path, "created")
    locked = checker.time(data, path, "locked")
    activated = checker.time(data, path, "activated")
    if status is not None:
        activation = rules.ACTIVATION_BY_STATUS[status]
        if activation == "required" and data.get("activated") is None:
            checker.error(join(path, "activated"), f"required for status {status!r}")
        if activation == "forbidden" and data.get("activated") is not None:
            checker.error(join(path, "activated"), f"not for status {status!r} (never active yet)")
        if status not in rules.LOCKED_STATUSES and data.get("locked") is not None:
            checker.error(join(path, "locked"), f"not for status {status!r} (not locked for approval yet)")
    # Explicit times must be in lifecycle order; absent ones default to the next known one.
    if created is not None:
        for later_key, later in (("locked", locked), ("activated", activated)):
            if later is not None and later < created:
                checker.error(join(path, later_key), "must not be before created")
    if locked is not None and activated is not None and activated < locked:
        checker.error(join(path, "activated"), "must not be before locked")
    if status in rules.LOCKED_STATUSES and locked is None:
        locked = activated or created or checker.now
    created = created or locked or activated or checker.now
    reseller = None
    if data.get("created_for_reseller") is not None:
        reseller = checker.partner_ref(data, path, "created_for_reseller")
        here = join(path, "created_for_reseller")
        if reseller is not None and partner is not None:
            if wrong_type(partner, {PartnerType.INDIRECT_PROVIDER}):
                checker.error(
                    here,
                    f"GDAP-INDIRECT-RESELLER: only an indirect_provider creates relationships "
                    f"for a reseller; {partner.name!r} has type {partner.type}",
                )
            elif reseller.type and (
                reseller.type != PartnerType.INDIRECT_RESELLER or reseller.indirect_provider != partner.name
            ):
                checker.error(
                    here,
                    f"GDAP-INDIRECT-RESELLER: {reseller.name!r} is not an indirect reseller "
                    f"of {partner.name!r}",
                )
    consent = _reseller_consent(checker, data, path, status, reseller, locked, activated)
    # The roles of a relationship created for a reseller go to the reseller's groups.
    assignments = assignments_validate(checker, data, path, reseller or partner, roles or [])
    if len(checker.errors) > errors_before:
        return None
    end_at = activated + duration if activated is not None else None
    return RelationshipSpec(
        id=relationship_id,
        partner=partner.name,
        customer=customer,
        fields={
            "display_name": display_name,
            "duration": duration,
            "duration_iso": getattr(duration, "iso", ""),
            "partner_consent_at": consent,
            "auto_extend_duration": auto_extend,
            "status": status,
            "created_at": created,
            "last_modified_at": max(t for t in (created, locked, activated) if t is not None),
            "locked_at": locked,
            "activated_at": activated,
            "end_at": end_at,
        },
        roles=roles,
        created_for_reseller=reseller.name if reseller else None,
        assignments=assignments,
    )


def _reseller_consent(checker: Checker, data, path, status, reseller, locked, activated):
    """``reseller_approved``: when the reseller consented (GDAP-INDIRECT-RESELLER). Only for a
    relationship created for a reseller, never for a draft; between ``locked`` and ``activated``;
    for a status past the customer's approval it defaults to the lock time."""
    here = join(path, "reseller_approved")
    given = data.get("reseller_approved") is not None
    consent = checker.time(data, path, "reseller_approved")
    if given and data.get("created_for_reseller") is None:
        checker.error(here, "only for a relationship created for a reseller (created_for_reseller)")
        return None
    if given and status == "created":
        checker.error(here, "not for status 'created' (not sent to the reseller yet)")
        return None
    if consent is not None:
        if locked is not None and consent < locked:
            checker.error(here, "must not be before locked")
        if activated is not None and consent > activated:
            checker.error(here, "must not be after activated")
        return consent
    if reseller is not None and (status in rules.RESELLER_CONSENTED_STATUSES or activated is not None):
        return locked
    return None


def assignments_validate(
    checker: Checker, data, path, partner, relationship_roles: list[str]
) -> list[AssignmentSpec]:
    """The access assignments of a relationship: a group of ``partner`` (the partner whose groups it
    grants: the reseller for one created for a reseller) and a subset of ``relationship_roles``
    (GDAP-ASSIGNMENT-SUBSET), one live assignment per group."""
    out, live_groups = [], set()
    names = checker.entra_role_names()
    for item_path, raw in checker.items(data, path, "assignments"):
        item = checker.mapping(raw, item_path, rules.ASSIGNMENT_KEYS)
        if item is None:
            continue
        group = None
        if item.get("group") is None:
            checker.error(join(item_path, "group"), "required")
        else:
            group = checker.group_ref_value(item["group"], join(item_path, "group"), partner)
        roles = checker.entra_roles(item, item_path, "roles")
        status = checker.choice(
            item, item_path, "status", rules.ASSIGNMENT_STATUSES, "assignment status", default="active"
        )
        if roles and relationship_roles:
            for index, template_id in enumerate(roles):
                if template_id not in relationship_roles:
                    checker.error(
                        join(join(item_path, "roles"), index),
                        f"GDAP-ASSIGNMENT-SUBSET: {names.get(template_id, template_id)!r} is not one of "
                        "the relationship's roles",
                    )
                    roles = None
                    break
        if group is not None and status is not None and status != AssignmentStatus.DELETED:
            if group in live_groups:
                checker.error(join(item_path, "group"), f"duplicate live assignment for group {group!r}")
                continue
            live_groups.add(group)
        if group is not None and roles is not None and status is not None:
            out.append(AssignmentSpec(group=group, roles=roles, status=status))
    return out
