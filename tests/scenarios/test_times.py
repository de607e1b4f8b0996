"""Relative and ISO 8601 times and durations of scenario files."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from scenario.times import resolve_duration, resolve_time

from .conftest import NOW


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("now", NOW),
        ("-30d", NOW - timedelta(days=30)),
        ("+7d", NOW + timedelta(days=7)),
        ("-2h", NOW - timedelta(hours=2)),
        ("+36h", NOW + timedelta(hours=36)),
        ("-15m", NOW - timedelta(minutes=15)),
        (" -1d ", NOW - timedelta(days=1)),
        ("2025-03-01T09:30:00Z", datetime(2025, 3, 1, 9, 30, tzinfo=UTC)),
        ("2025-03-01T09:30:00+02:00", datetime(2025, 3, 1, 7, 30, tzinfo=UTC)),
        ("2025-03-01 09:30", datetime(2025, 3, 1, 9, 30, tzinfo=UTC)),
        (datetime(2025, 3, 1, 9, 30), datetime(2025, 3, 1, 9, 30, tzinfo=UTC)),
        (
            datetime(2025, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=1))),
            datetime(2025, 3, 1, 8, 30, tzinfo=UTC),
        ),
        (date(2025, 3, 1), datetime(2025, 3, 1, tzinfo=UTC)),
    ],
)
def test_resolve_time(value, expected):
    assert resolve_time(value, now=NOW) == expected


@pytest.mark.parametrize("value", ["-30x", "30d", "yesterday", "+d", "2025-13-01", "", 30, None, ["-1d"]])
def test_resolve_time_refuses(value):
    with pytest.raises(ValueError) as exc:
        resolve_time(value, now=NOW)
    assert str(exc.value) == f"bad time {value!r}: expected ISO 8601 or now, +7d, -30d, -2h, -15m"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("P730D", timedelta(days=730)),
        ("PT0S", timedelta(0)),
        ("P180D", timedelta(days=180)),
        ("P2Y", timedelta(days=730)),
        ("PT2H30M", timedelta(hours=2, minutes=30)),
    ],
)
def test_resolve_duration(value, expected):
    assert resolve_duration(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("730D", "bad ISO 8601 duration '730D': expected for example P730D or PT0S"),
        ("P", "bad ISO 8601 duration 'P': expected for example P730D or PT0S"),
        ("P1M", "bad ISO 8601 duration 'P1M': expected for example P730D or PT0S"),
        (730, "bad ISO 8601 duration 730: expected a string such as P730D or PT0S"),
    ],
)
def test_resolve_duration_refuses(value, message):
    with pytest.raises(ValueError) as exc:
        resolve_duration(value)
    assert str(exc.value) == message
