"""A serializer's declared fields written through a plan made once per serializer instance.

DRF's ``Serializer.to_representation`` asks every field of every row to find its attribute
(``Field.get_attribute``: a walk of the source with callable and mapping checks) and to convert
it; a ``DateTimeField`` looks the current time zone up again for every value. A collection of 500
requests is about 15,000 such calls. :class:`PlannedRepresentationMixin` keeps the declared fields
as the one definition of the wire format (the OpenAPI document is generated from them) and only
changes how they are read: the plan is made from the bound fields when the serializer first
writes a row, and then used for every row.

What the plan does per field, all through the fields' public attributes:

- a field whose ``source`` is a concrete column of the serializer's model (its
  ``representation_model``, else a ``ModelSerializer``'s ``Meta.model``; its
  ``attname``: a plain value, never callable) and whose class keeps ``Field.get_attribute`` is
  read with ``operator.attrgetter``; a ``DateTimeField`` that keeps DRF's ISO 8601 output is
  written with the time zone looked up once per plan; any other such field through its own
  ``to_representation``;
- a ``SerializerMethodField`` calls its method directly;
- every other field (nested serializers, ``source="*"`` fields, fields that override
  ``get_attribute``) goes through DRF's own two steps, exactly as ``Serializer.to_representation``
  takes them (``SkipField``, ``PKOnlyObject``, ``None``).

The output equals DRF's for the same instance, key for key and in order
(``tests/api/test_representation.py``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from rest_framework import ISO_8601, serializers
from rest_framework.fields import Field, SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

#: A plan entry: (wire name, getter or None for DRF's own steps, converter, the bound field).
PlanEntry = tuple[str, Callable[[Any], Any] | None, Callable[[Any], Any], Field]

_SELF = object()  # the getter of a SerializerMethodField: the instance itself


def _iso_writer(field: serializers.DateTimeField) -> Callable[[Any], Any]:
    """``field.to_representation`` for aware date-times, with the time zone read once: DRF's ISO
    8601 text (``Z`` for UTC). Anything else (naive, a string, a falsy value) goes to the field."""
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    if zone is None:
        return field.to_representation
    slow = field.to_representation

    def write(value):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            try:
                text = value.astimezone(zone).isoformat()
            except OverflowError:
                return slow(value)
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return slow(value)

    return write


def _keeps_iso_output(field: serializers.DateTimeField) -> bool:
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    return (
        type(field).to_representation is serializers.DateTimeField.to_representation
        and isinstance(output_format, str)
        and output_format.lower() == ISO_8601
    )


def representation_plan(serializer: serializers.Serializer) -> list[PlanEntry]:
    """The plan of ``serializer``'s readable fields, in their declared order."""
    model = getattr(serializer, "representation_model", None) or getattr(
        getattr(serializer, "Meta", None), "model", None
    )
    columns = {f.attname for f in model._meta.concrete_fields} if model is not None else set()
    plan: list[PlanEntry] = []
    for field in serializer.fields.values():
        if field.write_only:
            continue
        name = field.field_name
        if (
            isinstance(field, serializers.SerializerMethodField)
            and type(field).to_representation is serializers.SerializerMethodField.to_representation
        ):
            plan.append((name, _SELF, getattr(serializer, field.method_name), field))
        elif field.source in columns and type(field).get_attribute is Field.get_attribute:
            if isinstance(field, serializers.DateTimeField) and _keeps_iso_output(field):
                convert = _iso_writer(field)
            else:
                convert = field.to_representation
            plan.append((name, attrgetter(field.source), convert, field))
        else:
            plan.append((name, None, field.to_representation, field))
    return plan


class PlannedRepresentationMixin:
    """``to_representation`` through :func:`representation_plan` (made once per serializer
    instance: with ``many=True`` the child, once per collection). Put it before the serializer
    class in the bases."""

    def to_representation(self, instance):
        plan = self.__dict__.get("_representation_plan")
        if plan is None:
            plan = self.__dict__["_representation_plan"] = representation_plan(self)
        ret = {}
        for name, getter, convert, field in plan:
            if getter is _SELF:
                ret[name] = convert(instance)
                continue
            if getter is None:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
                ret[name] = None if check is None else convert(attribute)
                continue
            value = getter(instance)
            ret[name] = None if value is None else convert(value)
        return ret
