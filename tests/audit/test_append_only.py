"""Audit events are append-only: the model refuses, and on PostgreSQL so does the database."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent, AuditEventImmutable
from audit.services import audit_event_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_record_fills_actor_partner_and_object():
    user = UserFactory()
    event = audit_event_record(action="servicerequest.filed", actor=user, obj=user.partner, after={"a": 1})
    assert event.actor_id == user.pk
    assert event.actor_name == user.username
    assert event.partner_id == user.partner_id
    assert event.object_type == "partners.Partner"
    assert event.object_id == str(user.partner_id)
    assert event.after == {"a": 1}


def test_model_refuses_change_and_delete():
    event = audit_event_record(action="x.y")
    event.action = "tampered"
    with pytest.raises(AuditEventImmutable):
        event.save()
    with pytest.raises(AuditEventImmutable):
        event.delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "x.y"


def test_database_rejects_update_and_delete(postgres_only):
    event = audit_event_record(action="x.y")
    table = AuditEvent._meta.db_table
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET action = 'tampered' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table} WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "x.y"
