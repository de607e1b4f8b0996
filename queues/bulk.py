"""Bulk actions on service requests: one service applies one action to many selected requests.

Each row goes through the single-request services (``service_request_update``,
``service_request_add_note``), so each is authorised and audited exactly as if it had been changed
alone; a row that fails is rolled back to its savepoint and reported with its reason while the
others proceed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.queueing import enqueue
from partners.models import User
from servicerequests.choices import Severity, Status
from servicerequests.exceptions import StaleVersion
from servicerequests.selectors import service_request_list
from servicerequests.services import (
    SETTABLE_STATUSES,
    UNSET,
    service_request_add_note,
    service_request_update,
)

#: At most this many requests in one bulk action.
MAX_BULK_ROWS = 500
#: Above this many selected requests the page asks to confirm the action first (issue #21).
CONFIRM_ABOVE = 10
NOT_FOUND = gettext_lazy("not found among your partner's requests.")


class BulkAction(models.TextChoices):
    ASSIGN = "assign", gettext_lazy("Assign to")
    UNASSIGN = "unassign", gettext_lazy("Unassign")
    SET_STATUS = "set_status", gettext_lazy("Change status")
    SET_SEVERITY = "set_severity", gettext_lazy("Change severity")
    ADD_NOTE = "add_note", gettext_lazy("Add a note")


#: The parameter each action needs (rules as data).
ACTION_PARAMETERS: dict[str, str | None] = {
    BulkAction.ASSIGN: "assignee",
    BulkAction.UNASSIGN: None,
    BulkAction.SET_STATUS: "status",
    BulkAction.SET_SEVERITY: "severity",
    BulkAction.ADD_NOTE: "note_text",
}


@dataclass
class BulkResult:
    """What a bulk action did: the ids changed (or left as they were: already in that state), and
    for every other id why not."""

    action: str
    succeeded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.succeeded) + len(self.failed)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "message_dict"):
            return "; ".join(f"{f}: {' '.join(m)}" for f, m in exc.message_dict.items())
        return " ".join(exc.messages)
    if isinstance(exc, PermissionDenied | StaleVersion):
        return str(exc)
    raise exc


def _validate(action: str, *, assignee, status, severity, note_text, request_ids) -> list[str]:
    if action not in BulkAction.values:
        raise ValidationError(
            {"action": [_("must be one of %(allowed)s.") % {"allowed": ", ".join(BulkAction.values)}]}
        )
    needed = ACTION_PARAMETERS[action]
    if needed == "assignee" and assignee is None:
        raise ValidationError({"assignee": [_("is required to assign.")]})
    if needed == "status" and status not in SETTABLE_STATUSES:
        raise ValidationError(
            {"status": [_("must be one of %(allowed)s.") % {"allowed": ", ".join(sorted(SETTABLE_STATUSES))}]}
        )
    if needed == "severity" and severity not in Severity.values:
        raise ValidationError(
            {"severity": [_("must be one of %(allowed)s.") % {"allowed": ", ".join(Severity.values)}]}
        )
    if needed == "note_text" and not (note_text or "").strip():
        raise ValidationError({"note_text": [_("is required.")]})
    ids = list(dict.fromkeys(str(i).strip() for i in request_ids or () if str(i).strip()))
    if not ids:
        raise ValidationError({"request_ids": [_("select at least one request.")]})
    if len(ids) > MAX_BULK_ROWS:
        raise ValidationError(
            {
                "request_ids": [
                    _("at most %(max)d requests at a time (you selected %(count)d).")
                    % {"max": MAX_BULK_ROWS, "count": len(ids)}
                ]
            }
        )
    return ids


def service_request_bulk_apply(
    *,
    actor: User,
    request_ids,
    action: str,
    assignee: User | None = None,
    status: str | None = None,
    severity: str | None = None,
    note_text: str | None = None,
) -> BulkResult:
    """Apply ``action`` to each of ``request_ids`` as ``actor``; report per row.

    Contract:
    - ``ValidationError({field: [...]})`` before anything is read or written: unknown ``action``,
      its parameter missing or invalid (``assignee`` for ``assign``, ``status``, ``severity``,
      ``note_text``), no ids, or more than :data:`MAX_BULK_ROWS`.
    - Rows are read through ``service_request_list(actor=actor)``: an id of another partner (or
      none at all) fails with "not found" and is never touched or revealed.
    - Each row is applied through ``service_request_update`` / ``service_request_add_note`` in its
      own savepoint: the row's own authorisation (SR-VIEW write roles; only a support manager
      assigns), validation and audit event (``servicerequest.updated`` / ``note_added``) apply; a
      failing row is rolled back and its reason recorded; the others are kept.

    Side effects: in one transaction, the changed rows with one audit event each; after commit,
    a refresh of the partner's queue counts is enqueued.
    """
    ids = bulk_action_check(
        action=action,
        request_ids=request_ids,
        assignee=assignee,
        status=status,
        severity=severity,
        note_text=note_text,
    )
    result = BulkResult(action=action)
    with transaction.atomic():
        found = {sr.pk: sr for sr in service_request_list(actor=actor).filter(pk__in=ids)}
        for request_id in ids:
            service_request = found.get(request_id)
            if service_request is None:
                result.failed[request_id] = str(NOT_FOUND)
                continue
            try:
                with transaction.atomic():
                    _apply_one(
                        actor,
                        service_request,
                        action,
                        assignee=assignee,
                        status=status,
                        severity=severity,
                        note_text=note_text,
                    )
            except (ValidationError, PermissionDenied, StaleVersion) as exc:
                result.failed[request_id] = _reason(exc)
            else:
                result.succeeded.append(request_id)
        if result.succeeded and actor.partner_id is not None:
            partner_id = actor.partner_id
            transaction.on_commit(lambda: _enqueue_counts_refresh(partner_id), robust=True)
    return result


def ids_or(request_ids):
    """``request_ids`` as a list (a single id string is one id, not its characters)."""
    if isinstance(request_ids, str):
        return [request_ids]
    return list(request_ids or ())


def _apply_one(actor, service_request, action, *, assignee, status, severity, note_text) -> None:
    if action == BulkAction.ADD_NOTE:
        service_request_add_note(actor=actor, service_request=service_request, text=note_text)
        return
    changes = {
        BulkAction.ASSIGN: {"assigned_to": assignee},
        BulkAction.UNASSIGN: {"assigned_to": None},
        BulkAction.SET_STATUS: {"status": status},
        BulkAction.SET_SEVERITY: {"severity": severity},
    }[action]
    service_request_update(
        actor=actor,
        service_request=service_request,
        status=changes.get("status"),
        severity=changes.get("severity"),
        assigned_to=changes.get("assigned_to", UNSET),
    )


def _enqueue_counts_refresh(partner_id) -> None:
    enqueue("servicerequests.refresh_queue_counts", str(partner_id))


def bulk_action_check(
    *, action: str, request_ids, assignee: User | None = None, status=None, severity=None, note_text=None
) -> list[str]:
    """The selected ids, de-duplicated, when ``service_request_bulk_apply`` would accept these
    arguments; the same ``ValidationError`` when not. Reads and writes nothing (the confirmation
    step checks the action before asking)."""
    return _validate(
        action,
        assignee=assignee,
        status=status,
        severity=severity,
        note_text=note_text,
        request_ids=ids_or(request_ids),
    )


def _assignee_name(assignee: User | None) -> str:
    return (assignee.get_full_name() or assignee.username) if assignee is not None else ""


def bulk_action_question(
    *, action: str, count: int, assignee: User | None = None, status=None, severity=None
) -> str:
    """What the action will do to ``count`` requests, as the question of the confirmation step, in
    the active language ("Assign 25 requests to Ravi Patel?")."""
    values = {
        "count": count,
        "assignee": _assignee_name(assignee),
        "status": Status(status).label if status in Status.values else "",
        "severity": Severity(severity).label if severity in Severity.values else "",
    }
    if action == BulkAction.ASSIGN:
        text = ngettext(
            "Assign %(count)d request to %(assignee)s?", "Assign %(count)d requests to %(assignee)s?", count
        )
    elif action == BulkAction.UNASSIGN:
        text = ngettext(
            "Unassign %(count)d request (nobody will be assigned to it)?",
            "Unassign %(count)d requests (nobody will be assigned to them)?",
            count,
        )
    elif action == BulkAction.SET_STATUS:
        text = ngettext(
            "Change the status of %(count)d request to “%(status)s”?",
            "Change the status of %(count)d requests to “%(status)s”?",
            count,
        )
    elif action == BulkAction.SET_SEVERITY:
        text = ngettext(
            "Change the severity of %(count)d request to “%(severity)s”?",
            "Change the severity of %(count)d requests to “%(severity)s”?",
            count,
        )
    else:
        text = ngettext("Add this note to %(count)d request?", "Add this note to %(count)d requests?", count)
    return text % values


def bulk_result_summary(
    result: BulkResult, *, assignee: User | None = None, status=None, severity=None
) -> str:
    """What a bulk action did, one sentence in the active language ("25 requests assigned to Ravi
    Patel."; "No request was changed." when none was). The rows not changed are reported apart,
    each with its reason."""
    count = len(result.succeeded)
    if not count:
        return _("No request was changed.")
    values = {
        "count": count,
        "assignee": _assignee_name(assignee),
        "status": Status(status).label if status in Status.values else "",
        "severity": Severity(severity).label if severity in Severity.values else "",
    }
    texts = {
        BulkAction.ASSIGN: ngettext(
            "%(count)d request assigned to %(assignee)s.",
            "%(count)d requests assigned to %(assignee)s.",
            count,
        ),
        BulkAction.UNASSIGN: ngettext(
            "%(count)d request unassigned.", "%(count)d requests unassigned.", count
        ),
        BulkAction.SET_STATUS: ngettext(
            "Status changed to “%(status)s” on %(count)d request.",
            "Status changed to “%(status)s” on %(count)d requests.",
            count,
        ),
        BulkAction.SET_SEVERITY: ngettext(
            "Severity changed to “%(severity)s” on %(count)d request.",
            "Severity changed to “%(severity)s” on %(count)d requests.",
            count,
        ),
        BulkAction.ADD_NOTE: ngettext(
            "Note added to %(count)d request.", "Note added to %(count)d requests.", count
        ),
    }
    return texts[result.action] % values


def bulk_failure_lines(result: BulkResult) -> list[str]:
    """One sentence per request that was not changed, with its reason, in the active language."""
    return [
        _("Request %(id)s not changed: %(reason)s") % {"id": request_id, "reason": reason}
        for request_id, reason in result.failed.items()
    ]
