"""CSV exports of a queue: the lines, shared by every way of exporting a queue.

The streamed export (``queue_views.queue_export``) sends :func:`csv_lines` to the browser as the
database cursor yields them, :data:`EXPORT_CHUNK_SIZE` rows at a time: memory stays constant
whatever the number of rows (docs/performance.md).
"""

from __future__ import annotations

import csv
from datetime import datetime

from .queues import EXPORT_COLUMNS, EXPORT_FIELDS
from .sla import sla_state

#: Rows fetched from the database at a time.
EXPORT_CHUNK_SIZE = 2000

# Spreadsheet formula prefixes: such a cell is written with a leading apostrophe (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# CSV lines --------------------------------------------------------------------------------------


def _csv_cell(value) -> str:
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


class _Echo:
    """A file-like object whose ``write`` returns the line, for ``csv.writer`` in a generator."""

    def write(self, value):
        return value


EXPORT_HEADER = (*(header for header, _field in EXPORT_COLUMNS), "sla_state")


def csv_lines(rows, *, now: datetime):
    """The CSV lines of a queue export: a header, then one line per row tuple of ``EXPORT_FIELDS``
    with its SLA state at ``now``. A generator: nothing is held but the current chunk."""
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_HEADER)
    due_index = EXPORT_FIELDS.index("sla_due_at")
    response_index = EXPORT_FIELDS.index("first_response_at")
    closed_index = EXPORT_FIELDS.index("closed_at")
    for row in rows:
        stops = [t for t in (row[response_index], row[closed_index]) if t is not None]
        state = sla_state(due_at=row[due_index], at=now, stopped_at=min(stops, default=None))
        yield writer.writerow([*(_csv_cell(v) for v in row), str(state)])
