"""Times and durations in scenario files.

A time is ISO 8601 (``2025-03-01T09:30:00Z``; a naive time is UTC) or relative
to the moment of loading: ``now``, ``-30d``, ``+7d``, ``-2h``, ``-15m``.
A duration is ISO 8601 as Graph writes it (``P730D``, ``PT0S``; see
:mod:`gdap.durations`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from django.utils.dateparse import parse_datetime

from gdap.durations import parse_iso_duration

#: Relative time units: suffix → timedelta keyword.
RELATIVE_UNITS: dict[str, str] = {"d": "days", "h": "hours", "m": "minutes"}

_RELATIVE = re.compile(r"^(?P<sign>[+-])(?P<amount>\d{1,6})(?P<unit>[dhm])$")

TIME_FORMAT_HINT = "expected ISO 8601 or now, +7d, -30d, -2h, -15m"


def resolve_time(value, *, now: datetime) -> datetime:
    """The aware datetime a scenario time stands for; ``ValueError`` with the reason otherwise.

    YAML may already have turned an ISO timestamp into a ``datetime`` or
    ``date``; both are accepted (naive values are UTC).
    """
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time.min, tzinfo=UTC)
    if not isinstance(value, str):
        raise ValueError(f"bad time {value!r}: {TIME_FORMAT_HINT}")
    text = value.strip()
    if text == "now":
        return now
    match = _RELATIVE.match(text)
    if match:
        delta = timedelta(**{RELATIVE_UNITS[match["unit"]]: int(match["amount"])})
        return now + delta if match["sign"] == "+" else now - delta
    try:
        parsed = parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError(f"bad time {value!r}: {TIME_FORMAT_HINT}")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def resolve_duration(value) -> timedelta:
    """The timedelta of an ISO 8601 duration; ``ValueError`` with the reason otherwise."""
    if not isinstance(value, str):
        raise ValueError(f"bad ISO 8601 duration {value!r}: expected a string such as P730D or PT0S")
    try:
        return parse_iso_duration(value)
    except ValueError:
        raise ValueError(f"bad ISO 8601 duration {value!r}: expected for example P730D or PT0S") from None
