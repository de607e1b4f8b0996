"""CSV cells safe to open in a spreadsheet (both the audit log's and the queues' exports)."""

from __future__ import annotations

import json

# Spreadsheet formula prefixes: such a cell is written with a leading apostrophe (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """``value`` as one CSV cell: empty for None, ISO 8601 for dates and times, compact sorted JSON
    for a dict or list, text otherwise; prefixed with ``'`` when it would start a formula."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
