"""Seed PostgreSQL with many service requests, fast: ``COPY`` through psycopg 3's ``Cursor.copy``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_bench python bench/seed.py --rows 1000000 [--reset]

Creates (once; reused on later runs) 50 partners "Bench Partner 00".."49", each with a support
manager ``bench-mgr-NN`` and three helpdesk agents ``bench-agent-NN-K`` (password
``pass-word-123``), 10,000 customers linked to the partners, and ``--rows`` service requests
filed over the last 365 days. "Bench Partner 00" holds 15% of the customers and requests (the
partner the benchmarks measure); the others share the rest evenly. Statuses, severities,
workloads, SLA clocks, first responses and assignees follow fixed proportions from a seeded
random generator, so two runs produce the same data. Every request names a support topic of its
workload and a contact; those filed in the last ``SNAPSHOT_DAYS`` days (the ones the request page
reads) carry the eligibility snapshot a filed request stores (``Decision.as_record`` of the filing
world of ``bench/filing.py``: sixteen outcomes, about 6 kB), so that pages render what they render
for a filed request; older ones an empty one, which keeps the database near its real size.

Fast because the requests table's secondary indexes are dropped during the load and rebuilt
afterwards (from their own ``pg_indexes`` definitions), foreign key triggers are skipped for the
load (``session_replication_role = replica``: the generator only writes ids it just read), and
rows go in with ``COPY ... FROM STDIN`` in chunks. It ends with ``VACUUM ANALYZE``.

Other benchmarks import :func:`seed` (it needs a migrated PostgreSQL database: ``DATABASE_URL``).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from customers.models import Customer, CustomerPartnerRelationship  # noqa: E402
from partners.models import Partner, User, UserRole  # noqa: E402
from servicerequests.models import (  # noqa: E402
    QueueCount,
    ReportRollup,
    ReportSnapshot,
    ServiceRequest,
    SupportTopic,
)
from servicerequests.sla import SLA_TARGETS  # noqa: E402

PARTNERS = 50
CUSTOMERS = 10_000
AGENTS_PER_PARTNER = 3
MAIN_SHARE = 0.15
PARTNER_PREFIX = "Bench Partner "
PASSWORD = "pass-word-123"
CHUNK = 50_000
ID_BASE = 500_000_000_000_000
TABLE = ServiceRequest._meta.db_table
COLUMNS = [f.column for f in ServiceRequest._meta.concrete_fields]

# Proportions (rules as data): (value, weight).
WORKLOADS = [("azure", 40), ("m365", 35), ("dynamics", 13), ("ems", 12)]
SEVERITIES = [("critical", 10), ("moderate", 40), ("minimal", 50)]
RECENT_STATUSES = [("open", 60), ("attention_needed", 12), ("none", 8), ("closed", 20)]
OLD_STATUSES = [("closed", 86), ("open", 8), ("attention_needed", 4), ("none", 2)]
PORTALS = {"azure": "azure", "m365": "m365", "ems": "m365", "dynamics": "dynamics"}
#: Requests younger than this carry a filed request's eligibility snapshot.
SNAPSHOT_DAYS = 30


@dataclass
class SeedInfo:
    """What the seeded database holds for the benchmarks."""

    rows: int
    main_partner_id: str
    main_partner_rows: int
    manager_username: str
    agent_username: str
    seconds: float
    loaded: bool


def _pick(rng: random.Random, table):
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


def _partner_share(index: int) -> float:
    return MAIN_SHARE if index == 0 else (1 - MAIN_SHARE) / (PARTNERS - 1)


def _world() -> tuple[list[Partner], dict[str, list[int]], dict[str, list]]:
    """The bench partners, their users (manager first) and customers; created when missing."""
    partners = []
    users: dict[str, list[int]] = {}
    with transaction.atomic():
        password = make_password(PASSWORD)
        for p in range(PARTNERS):
            partner, created = Partner.objects.get_or_create(
                name=f"{PARTNER_PREFIX}{p:02d}",
                defaults={"type": "direct_bill", "domains": [f"bench{p:02d}.example"]},
            )
            partners.append(partner)
            if created:
                manager = User.objects.create(
                    username=f"bench-mgr-{p:02d}",
                    partner=partner,
                    password=password,
                    first_name="Manager",
                    last_name=f"{p:02d}",
                    email=f"mgr@bench{p:02d}.example",
                )
                UserRole.objects.create(user=manager, role="support_manager")
                for k in range(1, AGENTS_PER_PARTNER + 1):
                    agent = User.objects.create(
                        username=f"bench-agent-{p:02d}-{k}",
                        partner=partner,
                        password=password,
                        first_name="Agent",
                        last_name=f"{p:02d}-{k}",
                        email=f"agent{k}@bench{p:02d}.example",
                    )
                    UserRole.objects.create(user=agent, role="helpdesk_agent")
            users[str(partner.pk)] = list(
                User.objects.filter(partner=partner).order_by("username").values_list("pk", flat=True)
            )
    customers: dict[str, list] = {str(p.pk): [] for p in partners}
    existing = CustomerPartnerRelationship.objects.filter(partner__in=partners).values_list(
        "partner_id", "customer_id"
    )
    for partner_id, customer_id in existing:
        customers[str(partner_id)].append(customer_id)
    if sum(len(v) for v in customers.values()) < CUSTOMERS:
        _copy_customers(partners, customers)
    return partners, users, customers


def _copy_customers(partners, customers) -> None:
    now = datetime.now(UTC).isoformat()
    rng = random.Random(7)
    customer_rows, link_rows = io.StringIO(), io.StringIO()
    start = sum(len(v) for v in customers.values())
    for i in range(start, CUSTOMERS):
        index = 0 if i < CUSTOMERS * MAIN_SHARE else 1 + (i % (PARTNERS - 1))
        partner = partners[index]
        cid = uuid.UUID(int=rng.getrandbits(128), version=4)
        customer_rows.write(
            f"{cid}\tBench Customer {i:05d}\tcommercial\tUS\tbench{i:05d}.onmicrosoft.com\t{now}\n"
        )
        link_rows.write(f"{cid}\t{partner.pk}\treseller\t{now}\n")
        customers[str(partner.pk)].append(cid)
    with connection.cursor() as cursor, transaction.atomic():
        customer_rows.seek(0)
        link_rows.seek(0)
        _copy(
            cursor,
            f"COPY {Customer._meta.db_table} (id, name, cloud, country, default_domain, created_at)"
            " FROM STDIN",
            customer_rows,
        )
        _copy(
            cursor,
            f"COPY {CustomerPartnerRelationship._meta.db_table}"
            " (customer_id, partner_id, relationship, created_at) FROM STDIN",
            link_rows,
        )


def _copy(cursor, statement: str, data: io.StringIO) -> None:
    """``COPY ... FROM STDIN`` of ``data`` (tab-separated text) through the driver's cursor."""
    with cursor.cursor.copy(statement) as copy:
        copy.write(data.getvalue())


#: ``COPY``'s text format: a backslash, a tab or a line break inside a value is written escaped.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _fmt(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).translate(COPY_ESCAPES)


def _request_rows(
    start: int,
    stop: int,
    *,
    partners,
    users,
    customers,
    now: datetime,
    rng: random.Random,
    topics: dict[str, list[int]] | None = None,
    snapshot: str = "{}",
):
    """Tab-separated COPY lines for request numbers ``start``..``stop - 1``. ``topics``: support
    topic ids by workload (a request names one of its workload's); ``snapshot``: the JSON of the
    eligibility snapshot of requests younger than ``SNAPSHOT_DAYS``."""
    main_cut = int(MAIN_SHARE * 1_000_000)
    topics = topics or {}
    recent_snapshot = timedelta(days=SNAPSHOT_DAYS)
    out = io.StringIO()
    for i in range(start, stop):
        # Deterministic partner choice: 15% to partner 0, the rest round-robin.
        index = 0 if (i * 7_919) % 1_000_000 < main_cut else 1 + (i % (PARTNERS - 1))
        partner = partners[index]
        pid = str(partner.pk)
        age = timedelta(seconds=rng.random() * 365 * 86_400)
        created = now - age
        recent = age < timedelta(days=2)
        status = _pick(rng, RECENT_STATUSES if recent else OLD_STATUSES)
        severity = _pick(rng, SEVERITIES)
        workload = _pick(rng, WORKLOADS)
        due = None if status == "none" else created + timedelta(minutes=2) + SLA_TARGETS[severity]
        first_response = None
        closed = None
        if status == "closed" or status == "attention_needed" or (status == "open" and rng.random() < 0.4):
            first_response = created + timedelta(minutes=10 + rng.random() * 720)
            if first_response > now:
                first_response = None if status == "open" else now
        if status == "closed":
            closed = min(now, (first_response or created) + timedelta(hours=1 + rng.random() * 120))
        stops = [t for t in (first_response, closed) if t is not None]
        stopped = min(stops) if stops else None
        breached = due is not None and (
            (stopped is None and due <= now) or (stopped is not None and stopped > due)
        )
        partner_users = users[pid]
        assignee = rng.choice(partner_users) if status != "none" and rng.random() < 0.6 else None
        updated = closed or first_response or created
        workload_topics = topics.get(workload) or [None]
        row = {
            "id": ID_BASE + i,
            "partner_id": pid,
            "customer_id": rng.choice(customers[pid]),
            "workload": workload,
            "subscription_id": None,
            "issue_type": "technical" if workload == "azure" else "",
            "title": f"{workload} issue {i}",
            "description": "Seeded by bench/seed.py",
            "severity": severity,
            "status": status,
            "support_topic_id": workload_topics[i % len(workload_topics)],
            "support_plan": "cloud_solution_provider" if workload == "azure" else "",
            "support_entitlement_id": None,
            "contact_first_name": "Bench",
            "contact_last_name": "Contact",
            "contact_email": f"contact{index:02d}@bench.example",
            "contact_phone": "",
            "country_code": "US",
            "support_language": "pt-BR" if i % 10 == 0 else "en-US",
            "created_by_id": partner_users[0],
            "assigned_to_id": assignee,
            "sla_due_at": due,
            "sla_breached": breached and status != "closed",
            "first_response_at": first_response,
            "external_ticket_id": "" if status == "none" else f"T{i}",
            "portal": PORTALS[workload],
            "eligibility": snapshot if age < recent_snapshot else "{}",
            "version": 1,
            "created_at": created,
            "updated_at": updated,
            "closed_at": closed,
        }
        out.write("\t".join(_fmt(row[c]) for c in COLUMNS))
        out.write("\n")
    out.seek(0)
    return out


def _secondary_indexes(cursor) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "WHERE i.tablename = %s AND i.indexname NOT IN ("
        "  SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [TABLE, TABLE],
    )
    return list(cursor.fetchall())


def bench_rows(partners) -> int:
    return ServiceRequest.objects.filter(partner__in=partners).count()


def filed_snapshot() -> dict:
    """The eligibility snapshot a request filed in the filing world stores (``bench/filing.py``)."""
    from bench.filing import stage_filing_world

    return stage_filing_world().record


def seed(rows: int, *, reset: bool = False, quiet: bool = False) -> SeedInfo:
    """Make the bench partners hold exactly ``rows`` requests (loading them when they don't)."""
    if connection.vendor != "postgresql":
        raise SystemExit("bench/seed.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    started = time.perf_counter()
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    partners, users, customers = _world()
    have = bench_rows(partners)
    loaded = False
    if reset or have != rows:
        say(f"loading {rows:,} requests (the bench partners had {have:,})")
        topics: dict[str, list[int]] = {}
        for workload, topic_id in SupportTopic.objects.order_by("id").values_list("workload", "id"):
            topics.setdefault(workload, []).append(topic_id)
        snapshot = json.dumps(filed_snapshot(), separators=(",", ":"))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE partner_id = ANY(%s)", [[p.pk for p in partners]])
            for model in (QueueCount, ReportRollup, ReportSnapshot):
                model.objects.filter(partner__in=partners).delete()
            indexes = _secondary_indexes(cursor)
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
            now = datetime.now(UTC)
            rng = random.Random(42)
            cursor.execute("SET session_replication_role = replica")
            try:
                for start in range(0, rows, CHUNK):
                    stop = min(rows, start + CHUNK)
                    data = _request_rows(
                        start,
                        stop,
                        partners=partners,
                        users=users,
                        customers=customers,
                        now=now,
                        rng=rng,
                        topics=topics,
                        snapshot=snapshot,
                    )
                    _copy(cursor, f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN", data)
                    say(f"  {stop:,} rows ({time.perf_counter() - started:.1f} s)")
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")
            say(f"rebuilding {len(indexes)} indexes")
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
        loaded = True
    if loaded or reset:
        connection.ensure_connection()
        raw = connection.connection
        autocommit = raw.autocommit
        raw.autocommit = True
        try:
            with raw.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {TABLE}")
                cursor.execute(f"ANALYZE {Customer._meta.db_table}")
        finally:
            raw.autocommit = autocommit
    main = partners[0]
    info = SeedInfo(
        rows=rows,
        main_partner_id=str(main.pk),
        main_partner_rows=ServiceRequest.objects.filter(partner=main).count(),
        manager_username="bench-mgr-00",
        agent_username="bench-agent-00-1",
        seconds=round(time.perf_counter() - started, 1),
        loaded=loaded,
    )
    say(
        f"{rows:,} requests over {CUSTOMERS:,} customers and {PARTNERS} partners "
        f"({info.main_partner_rows:,} for {main.name}) in {info.seconds} s"
    )
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--reset", action="store_true", help="reload even when the count already matches")
    args = parser.parse_args()
    seed(args.rows, reset=args.reset)


if __name__ == "__main__":
    main()
