"""Queue counts and the reporting rollup: their maintenance (Celery beat) and the report queries.

Nothing here runs on a page view except :func:`report_for`, which reads only the rollup
(``ReportRollup``, ``ReportSnapshot``): at most a few hundred rows per partner, whatever the
number of requests. The refreshers scan a partner's active rows (partial ``sr_active_*`` indexes)
and its requests of the report window; ``docs/performance.md`` explains the choice.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.choices import Workload
from partners.models import Partner, User
from servicerequests.choices import Severity
from servicerequests.handoffs.models import HandoffStatus
from servicerequests.models import (
    ACTIVE_STATUSES,
    QueueCount,
    ReportRollup,
    ReportSnapshot,
    SavedQueue,
    ServiceRequest,
    ServiceRequestHandoff,
)
from servicerequests.services import ASSIGNABLE_ROLES
from servicerequests.sla import SlaState, sla_state

from .definitions import (
    ASSIGNEE_ME,
    BUILTIN_QUEUES,
    HANDOFF_QUEUE_KEY,
    MANAGER_ROLES,
    QueueFilters,
    is_queue_manager,
)

#: Days the reports cover (today included), and so the window the rollup refresher recomputes.
REPORT_DAYS = 30
TOP_CUSTOMERS = 10

#: Open backlog age buckets: (key, label, from days inclusive, to days exclusive or None).
AGE_BUCKETS: tuple[tuple[str, str, int, int | None], ...] = (
    ("lt_1d", gettext_lazy("< 1 day"), 0, 1),
    ("1_3d", gettext_lazy("1–3 days"), 1, 3),
    ("3_7d", gettext_lazy("3–7 days"), 3, 7),
    ("7_30d", gettext_lazy("7–30 days"), 7, 30),
    ("gt_30d", gettext_lazy("> 30 days"), 30, None),
)

#: Chart colours per workload (the same order as the legend).
WORKLOAD_COLOURS = {
    Workload.AZURE: "#0078d4",
    Workload.M365: "#d83b01",
    Workload.DYNAMICS: "#742774",
    Workload.EMS: "#107c10",
    Workload.MARKETPLACE: "#8a8886",
}
SEVERITY_COLOURS = {Severity.CRITICAL: "#a4262c", Severity.MODERATE: "#8a3707", Severity.MINIMAL: "#605e5c"}


def _partner_ids(partner_id) -> list:
    if partner_id is not None:
        return [partner_id]
    return list(Partner.objects.order_by("pk").values_list("pk", flat=True))


# Queue counts ------------------------------------------------------------------------------------


def queue_counts_refresh(*, partner_id=None, now: datetime | None = None) -> int:
    """Recount every queue of one partner (or of every partner) and store the counts.

    Per partner: one aggregate over its active requests for the built-in queues, one count of the
    hand-offs waiting for it ("Hand-offs from resellers", only for a partner with resellers or
    hand-offs received: the sidebar lists that queue only when it has a count), one grouped
    count for each user's "My requests", one count per saved queue (for a saved queue "assigned
    to me", which means whoever views it, one grouped count per support manager). Upserts
    ``QueueCount`` rows stamped ``now`` and deletes the partner's rows this run did not write
    (deleted saved queues). Idempotent. Returns the number of counts written.
    """
    now = now or timezone.now()
    written = 0
    for pid in _partner_ids(partner_id):
        counts = _partner_queue_counts(pid, now=now)
        with transaction.atomic():
            QueueCount.objects.bulk_create(
                [
                    QueueCount(partner_id=pid, queue_key=key, count=n, refreshed_at=now)
                    for key, n in counts.items()
                ],
                update_conflicts=True,
                unique_fields=["partner", "queue_key"],
                update_fields=["count", "refreshed_at"],
            )
            QueueCount.objects.filter(partner_id=pid).exclude(queue_key__in=list(counts)).delete()
        written += len(counts)
    return written


def _partner_queue_counts(partner_id, *, now: datetime) -> dict[str, int]:
    requests = ServiceRequest.objects.filter(partner_id=partner_id)
    active = requests.filter(status__in=list(ACTIVE_STATUSES))
    counts: dict[str, int] = active.aggregate(
        **{
            q.key: Count("pk", filter=q.filters.q(actor=None, now=now))
            for q in BUILTIN_QUEUES
            if q.key != "mine"
        }
    )
    assignees = User.objects.filter(partner_id=partner_id, roles__role__in=list(ASSIGNABLE_ROLES)).distinct()
    # "Hand-offs from resellers" is counted (and so listed) only where it applies: a partner with
    # indirect resellers, or one that has received a hand-off (an advisor's, for a direct bill one).
    if (
        Partner.objects.filter(pk=partner_id)
        .filter(Q(indirect_resellers__isnull=False) | Q(handoffs_received__isnull=False))
        .exists()
    ):
        counts[HANDOFF_QUEUE_KEY] = ServiceRequestHandoff.objects.filter(
            provider_id=partner_id, status=HandoffStatus.PENDING
        ).count()
    counts.update({f"mine:{pk}": 0 for pk in assignees.values_list("pk", flat=True)})
    mine = next(q for q in BUILTIN_QUEUES if q.key == "mine").filters
    for row in (
        active.filter(assigned_to__isnull=False, status__in=list(mine.statuses))
        .values("assigned_to_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[f"mine:{row['assigned_to_id']}"] = row["n"]
    viewers: list | None = None
    for saved in SavedQueue.objects.filter(partner_id=partner_id).only("pk", "filters"):
        filters = QueueFilters.from_dict(saved.filters)
        if filters.assignee != ASSIGNEE_ME:
            counts[f"saved:{saved.pk}"] = requests.filter(filters.q(actor=None, now=now)).count()
            continue
        # "Assigned to me" means the viewer: one count per support manager (who see saved queues).
        if viewers is None:
            viewers = list(
                User.objects.filter(partner_id=partner_id, roles__role__in=list(MANAGER_ROLES))
                .distinct()
                .values_list("pk", flat=True)
            )
        counts.update({f"saved:{saved.pk}:{pk}": 0 for pk in viewers})
        anyone = replace(filters, assignee="")
        for row in (
            requests.filter(anyone.q(actor=None, now=now), assigned_to_id__in=viewers)
            .values("assigned_to_id")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            counts[f"saved:{saved.pk}:{row['assigned_to_id']}"] = row["n"]
    return counts


# The rollup -------------------------------------------------------------------------------------


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def report_window(now: datetime) -> tuple[date, date]:
    """The first and last (today, UTC) day of the report window."""
    today = now.astimezone(UTC).date()
    return today - timedelta(days=REPORT_DAYS - 1), today


def report_rollup_refresh(*, partner_id=None, now: datetime | None = None) -> int:
    """Recompute the rollup rows of the report window and the backlog snapshot of one partner (or
    of every partner).

    Per partner: the requests filed in the window are streamed once (``values_list`` in chunks,
    index ``sr_partner_created_idx``) and summed per (day, workload, severity) with their SLA
    outcome at ``now`` and times to first response; the window's rows are replaced in one
    transaction. Days before the window keep the rows they had when they left it. The snapshot
    is one aggregate over the active requests by age, plus the top customers. Idempotent.
    Returns the number of rollup rows written.
    """
    now = now or timezone.now()
    first_day, _ = report_window(now)
    written = 0
    for pid in _partner_ids(partner_id):
        rows = _rollup_rows(pid, since=_day_start(first_day), now=now)
        snapshot = {**_snapshot(pid, now=now), "median_first_response": _medians(rows)}
        with transaction.atomic():
            ReportRollup.objects.filter(partner_id=pid, day__gte=first_day).delete()
            ReportRollup.objects.bulk_create(rows)
            ReportSnapshot.objects.update_or_create(partner_id=pid, defaults=snapshot)
        written += len(rows)
    return written


def _rollup_rows(partner_id, *, since: datetime, now: datetime) -> list[ReportRollup]:
    buckets: dict[tuple, dict] = defaultdict(lambda: {"created": 0, "met": 0, "breached": 0, "fr": []})
    values = (
        ServiceRequest.objects.filter(partner_id=partner_id, created_at__gte=since)
        .order_by()
        .values_list("created_at", "workload", "severity", "sla_due_at", "first_response_at", "closed_at")
        .iterator(chunk_size=5000)
    )
    for created_at, workload, severity, due_at, first_response_at, closed_at in values:
        bucket = buckets[(created_at.astimezone(UTC).date(), workload, severity)]
        bucket["created"] += 1
        stops = [t for t in (first_response_at, closed_at) if t is not None]
        state = sla_state(due_at=due_at, at=now, stopped_at=min(stops, default=None))
        if state == SlaState.MET:
            bucket["met"] += 1
        elif state == SlaState.BREACHED:
            bucket["breached"] += 1
        if first_response_at is not None:
            bucket["fr"].append(max(0, int((first_response_at - created_at).total_seconds())))
    return [
        ReportRollup(
            partner_id=partner_id,
            day=day,
            workload=workload,
            severity=severity,
            created=b["created"],
            sla_met=b["met"],
            sla_breached=b["breached"],
            first_response_seconds=sorted(b["fr"]),
            refreshed_at=now,
        )
        for (day, workload, severity), b in sorted(buckets.items())
    ]


def _medians(rows: list[ReportRollup]) -> dict[str, float | None]:
    """The median time to first response per severity and over all of ``rows`` (the window's)."""
    responses: dict[str, list[int]] = {s: [] for s in Severity.values}
    for row in rows:
        responses[row.severity].extend(row.first_response_seconds)
    median = {s: _median(v) for s, v in responses.items()}
    median["all"] = _median([v for values in responses.values() for v in values])
    return median


def _snapshot(partner_id, *, now: datetime) -> dict:
    active = ServiceRequest.objects.filter(partner_id=partner_id, status__in=list(ACTIVE_STATUSES))
    aggregates = {}
    for key, _label, low, high in AGE_BUCKETS:
        condition = Q(created_at__lte=now - timedelta(days=low))
        if high is not None:
            condition &= Q(created_at__gt=now - timedelta(days=high))
        aggregates[key] = Count("pk", filter=condition)
    backlog = active.aggregate(**aggregates)
    top = (
        active.filter(customer__isnull=False)
        .values("customer_id", "customer__name")
        .annotate(open=Count("pk"))
        .order_by("-open", "customer__name")[:TOP_CUSTOMERS]
    )
    return {
        "backlog_by_age": backlog,
        "top_customers": [
            {"customerId": str(r["customer_id"]), "name": r["customer__name"], "open": r["open"]} for r in top
        ],
        "refreshed_at": now,
    }


# Reading the report ------------------------------------------------------------------------------


@dataclass
class Report:
    """The numbers of the reports page for one partner."""

    days: list[date]
    per_day: dict[date, dict[str, int]]
    created_by_workload: dict[str, int]
    sla: dict[str, dict]
    median_first_response: dict[str, float | None]
    backlog: list[tuple[str, str, int]]
    top_customers: list[dict]
    refreshed_at: datetime | None
    charts: dict = field(default_factory=dict)


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def report_for(*, actor: User, now: datetime | None = None) -> Report | None:
    """The partner's report from the rollup (two queries); None for anyone but a support manager.

    Reads the window's rollup rows without their response times: the medians come computed with the
    snapshot (``ReportSnapshot.median_first_response``), so the page's work does not grow with the
    partner's requests."""
    if not is_queue_manager(actor):
        return None
    now = now or timezone.now()
    first_day, last_day = report_window(now)
    days = [first_day + timedelta(days=i) for i in range(REPORT_DAYS)]
    per_day = {d: dict.fromkeys(Workload.values, 0) for d in days}
    by_workload = dict.fromkeys(Workload.values, 0)
    sla = {s: {"met": 0, "breached": 0} for s in Severity.values}
    refreshed: list[datetime] = []
    rows = (
        ReportRollup.objects.filter(partner_id=actor.partner_id, day__gte=first_day, day__lte=last_day)
        .order_by("day", "workload", "severity")
        .defer("first_response_seconds")
    )
    for row in rows:
        per_day[row.day][row.workload] += row.created
        by_workload[row.workload] += row.created
        sla[row.severity]["met"] += row.sla_met
        sla[row.severity]["breached"] += row.sla_breached
        refreshed.append(row.refreshed_at)
    for numbers in sla.values():
        measured = numbers["met"] + numbers["breached"]
        numbers["measured"] = measured
        numbers["percent"] = round(100 * numbers["met"] / measured, 1) if measured else None
    snapshot = ReportSnapshot.objects.filter(partner_id=actor.partner_id).first()
    stored = snapshot.median_first_response if snapshot else {}
    median = {key: stored.get(key) for key in (*Severity.values, "all")}
    backlog_counts = snapshot.backlog_by_age if snapshot else {}
    if snapshot:
        refreshed.append(snapshot.refreshed_at)
    report = Report(
        days=days,
        per_day=per_day,
        created_by_workload=by_workload,
        sla=sla,
        median_first_response=median,
        backlog=[(key, label, int(backlog_counts.get(key, 0))) for key, label, _l, _h in AGE_BUCKETS],
        top_customers=snapshot.top_customers if snapshot else [],
        # Every refresh writes the snapshot: without one, the report was never computed.
        refreshed_at=min(refreshed) if snapshot else None,
    )
    report.charts = _charts(report)
    return report


# Server-side SVG charts (geometry only; the templates draw it) ---------------------------------

CHART_WIDTH = 640
CHART_HEIGHT = 200
LABEL_WIDTH = 150


@dataclass
class Bar:
    """One bar of a chart, in SVG user units; labels sit left of it and its value right of it."""

    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str
    label: str = ""
    value_label: str = ""
    #: The bar's length as a percentage of the longest possible (the HTML bar charts' width).
    share: float = 0.0

    @property
    def label_x(self) -> float:
        return self.x - 8

    @property
    def text_y(self) -> float:
        return self.y + 15

    @property
    def value_x(self) -> float:
        return round(self.x + self.width + 6, 1)


@dataclass
class Chart:
    """The bars of one chart and the height of its view box."""

    bars: list[Bar]
    height: int

    def __len__(self) -> int:
        return len(self.bars)


def _scale(maximum: float) -> float:
    return maximum if maximum > 0 else 1


def stacked_day_bars(report: Report) -> Chart:
    """Requests per day by workload: one stacked column per day."""
    totals = [sum(report.per_day[d].values()) for d in report.days]
    top = _scale(max(totals, default=0))
    step = CHART_WIDTH / len(report.days)
    bars = []
    for i, day in enumerate(report.days):
        y = CHART_HEIGHT
        for workload in Workload.values:
            n = report.per_day[day][workload]
            if not n:
                continue
            height = CHART_HEIGHT * n / top
            y -= height
            bars.append(
                Bar(
                    x=round(i * step + 1, 1),
                    y=round(y, 1),
                    width=round(step - 2, 1),
                    height=round(height, 1),
                    colour=WORKLOAD_COLOURS[workload],
                    title=_("%(day)s %(workload)s: %(count)s")
                    % {
                        "day": date_format(day, "SHORT_DATE_FORMAT"),
                        "workload": Workload(workload).label,
                        "count": number_format(n, force_grouping=True),
                    },
                )
            )
    return Chart(bars=bars, height=CHART_HEIGHT)


def horizontal_bars(items: list[tuple[str, float, str, str]], *, maximum: float | None = None) -> Chart:
    """One bar per ``(label, value, value label, colour)``, 28 units apart, scaled to ``maximum``."""
    top = _scale(maximum if maximum is not None else max((v for _l, v, _vl, _c in items), default=0))
    width = CHART_WIDTH - LABEL_WIDTH - 110
    bars = [
        Bar(
            x=LABEL_WIDTH,
            y=i * 28 + 4,
            width=round(width * value / top, 1),
            height=20,
            colour=colour,
            title=_("%(label)s: %(value)s") % {"label": label, "value": value_label},
            label=label,
            value_label=value_label,
            share=round(min(100.0, 100 * value / top), 1),
        )
        for i, (label, value, value_label, colour) in enumerate(items)
    ]
    return Chart(bars=bars, height=len(bars) * 28 + 8)


def duration_label(seconds: float | None) -> str:
    """``1 h 05 min``, ``42 min``, ``2 d 3 h``; ``—`` for None."""
    if seconds is None:
        return "—"
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    days, hours = divmod(hours, 24)
    return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}


def _attainment_label(numbers: dict) -> str:
    """``50.0% of 2`` (the share of requests measured that met their target), in the active
    language's number format; "no data" when none was measured."""
    if numbers["percent"] is None:
        return _("no data")
    return _("%(percent)s%% of %(measured)s") % {
        "percent": number_format(numbers["percent"], decimal_pos=1),
        "measured": number_format(numbers["measured"], force_grouping=True),
    }


def _charts(report: Report) -> dict:
    severities = [(s, Severity(s).label) for s in Severity.values]
    return {
        "per_day": stacked_day_bars(report),
        "sla": horizontal_bars(
            [
                (
                    label,
                    report.sla[s]["percent"] or 0,
                    _attainment_label(report.sla[s]),
                    SEVERITY_COLOURS[s],
                )
                for s, label in severities
            ],
            maximum=100,
        ),
        "first_response": horizontal_bars(
            [
                (
                    label,
                    report.median_first_response[s] or 0,
                    duration_label(report.median_first_response[s]),
                    SEVERITY_COLOURS[s],
                )
                for s, label in severities
            ]
        ),
        "backlog": horizontal_bars(
            [
                (str(label), n, number_format(n, force_grouping=True), "#0078d4")
                for _k, label, n in report.backlog
            ]
        ),
        "top_customers": horizontal_bars(
            [
                (c["name"], c["open"], number_format(c["open"], force_grouping=True), "#0078d4")
                for c in report.top_customers
            ]
        ),
    }
