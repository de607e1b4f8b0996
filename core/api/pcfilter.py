"""Partner Center's query syntax: ``filter=`` as URL-encoded JSON, turned into a Django ``Q``.

The official SDK and PowerShell module send a simple filter, ``{"Field": "Status", "Value":
"Open", "Operator": "equals"}``, or two combined, ``{"LeftFilter": {...}, "RightFilter": {...},
"Operator": "and"}`` (``or`` too; nested at most ``MAX_DEPTH`` deep). Keys are read in any case.
Each resource says which fields it filters and how (:class:`FilterField`); an unknown field or
operator, a value of the wrong kind, or a malformed object raises :class:`FilterInvalid` naming
the part (``filter.Field``, ``filter.Operator``, ``filter.Value``) and the reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

#: Partner Center's comparison operators (``and`` / ``or`` combine two filters).
COMPARISONS = (
    "equals",
    "not_equals",
    "greater_than",
    "greater_than_or_equals",
    "less_than",
    "less_than_or_equals",
    "substring",
    "starts_with",
    "not_starts_with",
)
COMBINATIONS = ("and", "or")
MAX_DEPTH = 8

_LOOKUPS = {
    "equals": ("exact", False),
    "not_equals": ("exact", True),
    "greater_than": ("gt", False),
    "greater_than_or_equals": ("gte", False),
    "less_than": ("lt", False),
    "less_than_or_equals": ("lte", False),
    "substring": ("icontains", False),
    "starts_with": ("istartswith", False),
    "not_starts_with": ("istartswith", True),
}


class FilterInvalid(ValueError):
    """A ``filter`` that can't be applied: ``part`` (``filter.Field``, …) and ``reason``."""

    def __init__(self, part: str, reason: str):
        self.part = part
        self.reason = reason
        super().__init__(f"{part}: {reason}")


@dataclass(frozen=True)
class FilterField:
    """How one Partner Center field filters: the model lookup path, the operators it takes, and
    a function turning the given value into the stored one (raising ``ValueError`` with the reason).
    ``condition``, when given, builds the ``Q`` itself from the Django lookup (``exact``,
    ``istartswith``, …) and the value (for a field that lives in another table)."""

    lookup: str
    operators: tuple[str, ...]
    convert: Callable[[Any], Any]
    condition: Callable[[str, Any], Q] | None = None


def text_value(value) -> str:
    """A non-empty string without NUL (PostgreSQL can't compare text with it), stripped."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    if "\x00" in value:
        raise ValueError("null characters (\\x00) are not allowed")
    return value.strip()


def _keyed(spec: dict) -> dict[str, Any]:
    return {str(key).lower(): value for key, value in spec.items()}


def pc_filter_q(raw: str, fields: dict[str, FilterField]) -> Q:
    """The ``Q`` of the JSON filter ``raw`` over ``fields`` (their names as Partner Center spells
    them, matched in any case). Raises :class:`FilterInvalid`."""
    try:
        spec = json.loads(raw)
    except ValueError:
        raise FilterInvalid("filter", "is not valid JSON") from None
    return _q(spec, {name.lower(): (name, field) for name, field in fields.items()}, depth=1)


def _q(spec: Any, fields: dict[str, tuple[str, FilterField]], *, depth: int) -> Q:
    if not isinstance(spec, dict):
        raise FilterInvalid("filter", "must be a JSON object")
    if depth > MAX_DEPTH:
        raise FilterInvalid("filter", f"combines filters more than {MAX_DEPTH} deep")
    spec = _keyed(spec)
    operator = str(spec.get("operator", "")).strip().lower()
    if "leftfilter" in spec or "rightfilter" in spec:
        if operator not in COMBINATIONS:
            raise FilterInvalid(
                "filter.Operator", f"{spec.get('operator')!r}: two filters combine with and, or"
            )
        left = _q(spec.get("leftfilter"), fields, depth=depth + 1)
        right = _q(spec.get("rightfilter"), fields, depth=depth + 1)
        return left & right if operator == "and" else left | right
    name = str(spec.get("field", "")).strip()
    if name.lower() not in fields:
        allowed = ", ".join(wire for wire, _ in fields.values())
        raise FilterInvalid("filter.Field", f"{name!r} is not a field this list filters (one of {allowed})")
    wire, field = fields[name.lower()]
    if operator not in field.operators:
        raise FilterInvalid(
            "filter.Operator",
            f"{spec.get('operator')!r} does not apply to {wire} (one of {', '.join(field.operators)})",
        )
    try:
        value = field.convert(spec.get("value"))
    except (ValueError, TypeError) as exc:
        raise FilterInvalid("filter.Value", f"{wire}: {exc}") from None
    lookup, negate = _LOOKUPS[operator]
    if field.condition is not None:
        condition = field.condition(lookup, value)
    else:
        condition = Q(**{f"{field.lookup}__{lookup}": value})
    return ~condition if negate else condition
