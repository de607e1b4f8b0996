"""Writes of the support managers' queues: saved queues (create, rename, delete), audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import audit_event_record
from partners.models import User
from servicerequests.models import QueueCount, SavedQueue

from .definitions import BUILTIN_QUEUES, QueueFilters, is_queue_manager, ordering_get

NAME_MAX = 80


def _require_manager(actor: User) -> None:
    if not is_queue_manager(actor):
        raise PermissionDenied(_("Only a support manager may save, rename or delete queues."))


def _require_owner(actor: User, saved_queue: SavedQueue) -> None:
    _require_manager(actor)
    if saved_queue.partner_id != actor.partner_id or saved_queue.owner_id != actor.pk:
        raise PermissionDenied(_("Only the support manager who saved a queue may rename or delete it."))


def _validated_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("is required.")]})
    if len(name) > NAME_MAX:
        raise ValidationError(
            {
                "name": [
                    _("must be at most %(max)d characters (it has %(length)d).")
                    % {"max": NAME_MAX, "length": len(name)}
                ]
            }
        )
    with translation.override("en"):
        reserved = {str(q.name).lower() for q in BUILTIN_QUEUES}
    reserved |= {str(q.name).lower() for q in BUILTIN_QUEUES}
    if name.lower() in reserved:
        raise ValidationError({"name": [_("“%(name)s” is the name of a built-in queue.") % {"name": name}]})
    return name


def _save_unique(saved_queue: SavedQueue, **kwargs) -> None:
    try:
        with transaction.atomic():
            saved_queue.save(**kwargs)
    except IntegrityError:
        raise ValidationError(
            {"name": [_("your partner already has a queue named “%(name)s”.") % {"name": saved_queue.name}]}
        ) from None


def saved_queue_create(*, actor: User, name: str, filters: dict, ordering: str) -> SavedQueue:
    """Save a queue for the actor's partner (support managers only: ``PermissionDenied``).

    ``ValidationError`` naming the field for an empty, too long, built-in or already used name, a
    bad filter or an unknown ordering; nothing is written then. ``assignee: me`` is stored as
    ``me``: the partner's managers share saved queues, so it means whoever views the queue (its
    sidebar count is per viewer, ``QueueDefinition.count_key``). Side effects: the row and an audit
    event ``queue.saved``, in one transaction.
    """
    _require_manager(actor)
    name = _validated_name(name)
    parsed = QueueFilters.from_dict(filters)
    ordering_get(ordering)
    now = timezone.now()
    with transaction.atomic():
        saved = SavedQueue(
            partner_id=actor.partner_id,
            owner=actor,
            name=name,
            filters=parsed.as_dict(),
            ordering=ordering,
            created_at=now,
            updated_at=now,
        )
        _save_unique(saved)
        audit_event_record(
            action="queue.saved",
            actor=actor,
            obj=saved,
            after={"name": name, "filters": saved.filters, "ordering": ordering},
        )
    return saved


def saved_queue_rename(*, actor: User, saved_queue: SavedQueue, name: str) -> SavedQueue:
    """Rename the actor's own saved queue (``PermissionDenied`` for anyone else's; the same name
    rules as :func:`saved_queue_create`). Side effects: the row and an audit event ``queue.renamed``."""
    _require_owner(actor, saved_queue)
    name = _validated_name(name)
    with transaction.atomic():
        before = saved_queue.name
        saved_queue.name = name
        saved_queue.updated_at = timezone.now()
        _save_unique(saved_queue, update_fields=["name", "updated_at"])
        audit_event_record(
            action="queue.renamed",
            actor=actor,
            obj=saved_queue,
            before={"name": before},
            after={"name": name},
        )
    return saved_queue


def saved_queue_delete(*, actor: User, saved_queue: SavedQueue) -> None:
    """Delete the actor's own saved queue and its counts (``PermissionDenied`` for anyone else's).
    Side effects: an audit event ``queue.deleted``, in the same transaction."""
    _require_owner(actor, saved_queue)
    with transaction.atomic():
        audit_event_record(
            action="queue.deleted",
            actor=actor,
            obj=saved_queue,
            before={"name": saved_queue.name, "filters": saved_queue.filters},
        )
        QueueCount.objects.filter(
            Q(queue_key=f"saved:{saved_queue.pk}") | Q(queue_key__startswith=f"saved:{saved_queue.pk}:"),
            partner_id=saved_queue.partner_id,
        ).delete()
        saved_queue.delete()
