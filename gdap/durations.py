"""ISO 8601 durations as Graph writes them (``P730D``, ``PT0S``, ``P180D``, ``P2Y``)."""

import re
from datetime import timedelta

from django.utils.translation import gettext as _

_ISO_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
DAYS_PER_YEAR = 365  # Graph documents P2Y and P730D as the same maximum (GDAP-DURATION).


class IsoDuration(timedelta):
    """A ``timedelta`` that remembers the ISO 8601 text it was read from (``iso``), so Graph can echo
    a duration as the caller sent it (``P2Y`` stays ``P2Y``). Arithmetic gives plain timedeltas."""

    iso: str = ""

    def __new__(cls, *args, iso: str = "", **kwargs):
        self = super().__new__(cls, *args, **kwargs)
        self.iso = iso
        return self


def parse_iso_duration(value: str) -> IsoDuration:
    """``"P730D"`` → ``timedelta(days=730)`` (an ``IsoDuration`` whose ``iso`` is ``"P730D"``). Years
    count 365 days; months are refused as ambiguous.

    Raises ``ValueError`` with a readable reason for anything that is not an ISO 8601 duration.
    """
    if not isinstance(value, str):
        raise ValueError(_("must be an ISO 8601 duration string such as P730D"))
    match = _ISO_DURATION.match(value.strip().upper())
    if match is None:
        raise ValueError(_("%(value)r is not an ISO 8601 duration such as P730D or PT0S") % {"value": value})
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return IsoDuration(
        days=parts["years"] * DAYS_PER_YEAR + parts["weeks"] * 7 + parts["days"],
        hours=parts["hours"],
        minutes=parts["minutes"],
        seconds=parts["seconds"],
        iso=value.strip().upper(),
    )


def format_iso_duration(value: timedelta) -> str:
    """``timedelta(days=730)`` → ``"P730D"``; zero → ``"PT0S"``; ``timedelta(hours=23)`` → ``"PT23H"``."""
    total = int(value.total_seconds())
    if total == 0:
        return "PT0S"
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    out = "P" + (f"{days}D" if days else "")
    time_part = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    return out + ("T" + time_part if time_part else "")
