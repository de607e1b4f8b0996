"""Monthly partitions of the audit events (PostgreSQL) and retention by dropping whole months."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation

from audit import partitions
from audit.models import AuditEvent
from audit.partitions import (
    AuditPartitionsNotOwner,
    audit_partitions_drop_expired,
    audit_partitions_ensure,
    audit_partitions_list,
)
from audit.services import audit_event_record
from audit.tasks import maintain_partitions
from audit.wording import audit_event_sentence

pytestmark = pytest.mark.django_db
TABLE = AuditEvent._meta.db_table


def sql(statement: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def partition_of(event: AuditEvent) -> str:
    return sql(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [event.pk])[0][0]


def name_of(month: date) -> str:
    return f"{TABLE}_y{month:%Y}m{month:%m}"


def this_month() -> date:
    return timezone.now().astimezone(UTC).date().replace(day=1)


def old_month(month: date, *, events: int) -> None:
    """A partition for ``month`` (long past) holding ``events`` events."""
    assert sql(f"SELECT {TABLE}_partition_create(%s)", [month]) == [("created",)]
    for day in range(1, events + 1):
        AuditEvent.objects.create(
            action="x.old", occurred_at=datetime(month.year, month.month, day, tzinfo=UTC)
        )


# The table ---------------------------------------------------------------------------------------


def test_the_table_is_partitioned_by_range_of_occurred_at(postgres_only):
    assert sql(
        "SELECT p.partstrat, a.attname FROM pg_partitioned_table p "
        "JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] "
        "WHERE p.partrelid = %s::regclass",
        [TABLE],
    ) == [("r", "occurred_at")]
    primary_key = sql(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
        [TABLE],
    )
    assert primary_key == [("PRIMARY KEY (id, occurred_at)",)]


def test_the_parent_carries_the_models_indexes_and_the_triggers(postgres_only):
    indexes = {name for (name,) in sql("SELECT indexname FROM pg_indexes WHERE tablename = %s", [TABLE])}
    assert indexes == {index.name for index in AuditEvent._meta.indexes} | {f"{TABLE}_pkey"}
    triggers = sql("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass ORDER BY tgname", [TABLE])
    assert triggers == [(f"{TABLE}_no_truncate",), (f"{TABLE}_no_update_delete",)]


def test_this_month_and_the_next_three_exist_and_a_default(postgres_only):
    months = [partition.month for partition in audit_partitions_list()]
    first = this_month()
    assert months[months.index(first) :] == [
        first,
        partitions.month_after(first).date(),
        partitions.month_after(partitions.month_after(first).date()).date(),
        partitions.month_after(partitions.month_after(partitions.month_after(first).date()).date()).date(),
    ]
    assert sql("SELECT to_regclass(%s) IS NOT NULL", [partitions.DEFAULT_PARTITION]) == [(True,)]


def test_an_event_lands_in_its_months_partition(postgres_only):
    event = audit_event_record(action="x.y")
    assert partition_of(event) == name_of(this_month())
    assert AuditEvent.objects.get(pk=event.pk).action == "x.y"


def test_an_event_outside_the_created_months_lands_in_the_default_partition(postgres_only):
    event = AuditEvent.objects.create(action="x.y", occurred_at=datetime(1999, 12, 31, 23, 59, tzinfo=UTC))
    assert partition_of(event) == partitions.DEFAULT_PARTITION
    assert list(AuditEvent.objects.filter(occurred_at__year=1999).values_list("pk", flat=True)) == [event.pk]


@pytest.mark.parametrize("statement", ["UPDATE {p} SET action = 'tampered'", "DELETE FROM {p}"])
def test_a_partition_refuses_update_and_delete(postgres_only, statement):
    event = audit_event_record(action="x.y")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql(statement.format(p=name_of(this_month())))
    assert AuditEvent.objects.get(pk=event.pk).action == "x.y"


def test_each_partition_has_the_truncate_guard(postgres_only):
    names = [partition.name for partition in audit_partitions_list()] + [partitions.DEFAULT_PARTITION]
    guarded = sql(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = %s",
        [f"{TABLE}_no_truncate"],
    )
    assert set(names) <= {name for (name,) in guarded}


# Ensure ------------------------------------------------------------------------------------------


def test_ensure_creates_the_missing_months_once(postgres_only):
    first = audit_partitions_ensure(months_ahead=5)
    assert [item.outcome for item in first] == ["exists"] * 4 + ["created"] * 2
    assert first[0].month == this_month()
    again = audit_partitions_ensure(months_ahead=5)
    assert [item.outcome for item in again] == ["exists"] * 6
    assert len(audit_partitions_list()) == len({p.month for p in audit_partitions_list()})


def test_ensure_leaves_a_month_whose_events_are_in_the_default_partition(postgres_only):
    sql(f"ALTER TABLE {TABLE} DETACH PARTITION {name_of(this_month())}")
    sql(f"DROP TABLE {name_of(this_month())}")
    event = audit_event_record(action="x.y")
    assert partition_of(event) == partitions.DEFAULT_PARTITION
    assert audit_partitions_ensure(months_ahead=0)[0].outcome == "blocked"
    assert AuditEvent.objects.get(pk=event.pk).action == "x.y"


def test_ensure_dry_run_creates_nothing(postgres_only):
    before = audit_partitions_list()
    planned = audit_partitions_ensure(months_ahead=5, dry_run=True)
    assert [item.outcome for item in planned] == ["exists"] * 4 + ["missing"] * 2
    assert audit_partitions_list() == before


# Retention ---------------------------------------------------------------------------------------


def test_drop_expired_drops_only_the_months_wholly_past_the_retention(postgres_only):
    for month in (date(2020, 1, 1), date(2020, 2, 1), date(2020, 3, 1), date(2020, 4, 1)):
        old_month(month, events=month.month)
    newest = audit_event_record(action="x.y")

    # 2020-06-15 minus 60 days is 2020-04-16: January to March ended before it, April did not.
    dropped = audit_partitions_drop_expired(retention_days=60, now=datetime(2020, 6, 15, tzinfo=UTC))

    assert [(p.name, p.rows) for p in dropped] == [
        (f"{TABLE}_y2020m01", 1),
        (f"{TABLE}_y2020m02", 2),
        (f"{TABLE}_y2020m03", 3),
    ]
    remaining = {p.month for p in audit_partitions_list()}
    assert date(2020, 3, 1) not in remaining
    assert {date(2020, 4, 1), this_month()} <= remaining
    assert AuditEvent.objects.filter(action="x.old").count() == 4
    assert AuditEvent.objects.filter(pk=newest.pk).exists()
    recorded = AuditEvent.objects.filter(action="audit.partition_dropped").order_by("id")
    assert [(e.object_type, e.object_id, e.actor_id, e.partner_id) for e in recorded] == [
        ("audit.AuditPartition", month, None, None) for month in ("2020-01", "2020-02", "2020-03")
    ]
    assert recorded[0].after == {
        "month": "2020-01",
        "partition": f"{TABLE}_y2020m01",
        "rows": 1,
        "retentionDays": 60,
        "eventsBefore": "2020-02-01T00:00:00+00:00",
    }
    assert audit_partitions_drop_expired(retention_days=60, now=datetime(2020, 6, 15, tzinfo=UTC)) == []


@pytest.mark.parametrize("retention_days", [0, -1])
def test_retention_zero_keeps_everything(postgres_only, settings, retention_days):
    old_month(date(2020, 1, 1), events=1)
    settings.AUDIT_RETENTION_DAYS = retention_days
    assert audit_partitions_drop_expired() == []
    assert date(2020, 1, 1) in {p.month for p in audit_partitions_list()}
    assert not AuditEvent.objects.filter(action="audit.partition_dropped").exists()


def test_the_retention_comes_from_the_setting(postgres_only, settings):
    old_month(date(2020, 1, 1), events=2)
    settings.AUDIT_RETENTION_DAYS = 365
    assert [(p.month, p.rows) for p in audit_partitions_drop_expired()] == [(date(2020, 1, 1), 2)]


def test_drop_dry_run_counts_but_drops_nothing(postgres_only):
    old_month(date(2020, 1, 1), events=2)
    planned = audit_partitions_drop_expired(retention_days=30, dry_run=True)
    assert [(p.month, p.rows) for p in planned] == [(date(2020, 1, 1), 2)]
    assert date(2020, 1, 1) in {p.month for p in audit_partitions_list()}
    assert not AuditEvent.objects.filter(action="audit.partition_dropped").exists()


def test_a_role_that_does_not_own_the_table_drops_nothing(postgres_only, monkeypatch):
    old_month(date(2020, 1, 1), events=1)
    monkeypatch.setattr(partitions, "audit_partitions_owned", lambda: False)
    with pytest.raises(AuditPartitionsNotOwner, match="manage.py audit_partitions"):
        audit_partitions_drop_expired(retention_days=30)
    assert date(2020, 1, 1) in {p.month for p in audit_partitions_list()}


# The task and the command ------------------------------------------------------------------------


def test_the_task_ensures_and_drops(postgres_only, settings):
    old_month(date(2020, 1, 1), events=1)
    settings.AUDIT_RETENTION_DAYS = 30
    assert maintain_partitions() == {"created": [], "dropped": {f"{TABLE}_y2020m01": 1}, "skipped": ""}


def test_the_task_says_when_it_may_not_drop(postgres_only, settings, monkeypatch):
    old_month(date(2020, 1, 1), events=1)
    settings.AUDIT_RETENTION_DAYS = 30
    monkeypatch.setattr(partitions, "audit_partitions_owned", lambda: False)
    assert maintain_partitions() == {"created": [], "dropped": {}, "skipped": "not the table's owner"}


def test_the_command_dry_run(postgres_only):
    old_month(date(2020, 1, 1), events=3)
    out = io.StringIO()
    call_command("audit_partitions", "--dry-run", "--retention-days=30", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"{this_month():%Y-%m}: exists"
    assert lines[-1] == f"{TABLE}_y2020m01 (2020-01, 3 events): would be dropped"
    assert date(2020, 1, 1) in {p.month for p in audit_partitions_list()}


def test_the_command_drops_and_says_so(postgres_only, settings):
    old_month(date(2020, 1, 1), events=1)
    settings.AUDIT_RETENTION_DAYS = 30
    out = io.StringIO()
    call_command("audit_partitions", stdout=out)
    assert out.getvalue().splitlines()[-1] == f"{TABLE}_y2020m01 (2020-01, 1 events): dropped"


def test_the_command_with_retention_zero_keeps_everything(postgres_only):
    out = io.StringIO()
    call_command("audit_partitions", stdout=out)
    assert out.getvalue().splitlines()[-1].startswith("Retention: AUDIT_RETENTION_DAYS is 0")


def test_the_command_refuses_a_role_that_does_not_own_the_table(postgres_only, monkeypatch):
    old_month(date(2020, 1, 1), events=1)
    monkeypatch.setattr(partitions, "audit_partitions_owned", lambda: False)
    with pytest.raises(CommandError, match="does not own"):
        call_command("audit_partitions", "--retention-days=30", stdout=io.StringIO())


def test_on_sqlite_everything_is_a_no_op_that_says_so(settings):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite behaviour: on PostgreSQL the events are partitioned")
    settings.AUDIT_RETENTION_DAYS = 1
    audit_event_record(action="x.y")
    assert audit_partitions_list() == []
    assert audit_partitions_ensure() == []
    assert audit_partitions_drop_expired() == []
    assert maintain_partitions()["skipped"] == "not partitioned (SQLite)"
    out = io.StringIO()
    call_command("audit_partitions", "--dry-run", stdout=out)
    assert out.getvalue() == "SQLite: the audit events are not partitioned; nothing to do.\n"
    assert AuditEvent.objects.count() == 1


# Wording -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "The system deleted the audit events of 2020-01 at the end of their retention period"),
        (
            "pt-br",
            "O sistema apagou definitivamente os eventos de auditoria de 2020-01 "
            "ao fim do período de retenção",
        ),
        (
            "pt-pt",
            "O sistema apagou definitivamente os eventos de auditoria de 2020-01 "
            "no fim do período de retenção",
        ),
    ],
)
def test_the_drop_in_words(language, expected):
    event = AuditEvent(
        action="audit.partition_dropped",
        actor_name="",
        object_type="audit.AuditPartition",
        object_id="2020-01",
    )
    with translation.override(language):
        assert audit_event_sentence(event) == expected
