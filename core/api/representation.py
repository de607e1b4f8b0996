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

A serializer class that sets ``shared_representation_plan = True`` makes the plan once per
*class*, from one instance of its own, instead of once per instance: its instances then never
build their fields (DRF deep-copies every declared field for each instance). Its contract:
the fields' output does not depend on the serializer instance (its ``context``, its ``__init__``
arguments): method fields are still called on the instance at hand, and date-times still read
the time zone active when the instance first writes, but every other field is the one bound to
that first instance.

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

#: A plan entry: (wire name, getter or None for DRF's own steps, converter, the bound field). The
#: getter of a ``SerializerMethodField`` is ``_METHOD`` and its converter the method's name.
PlanEntry = tuple[str, Callable[[Any], Any] | object | None, Callable[[Any], Any] | str, Field]

_METHOD = object()  # the getter of a SerializerMethodField: call the serializer's method by name
_ISO = object()  # the converter of a date-time written as ISO 8601 in the active time zone


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
    """The plan of ``serializer``'s readable fields, in their declared order, with the time zone
    active now."""
    return _with_time_zone(_plan_of_fields(serializer))


def _with_time_zone(plan: list[PlanEntry]) -> list[PlanEntry]:
    return [
        (name, getter, _iso_writer(field) if convert is _ISO else convert, field)
        for name, getter, convert, field in plan
    ]


def _plan_of_fields(serializer: serializers.Serializer) -> list[PlanEntry]:
    """The plan with ``_ISO`` where a date-time writer belongs (the time zone is read later)."""
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
            plan.append((name, _METHOD, field.method_name, field))
        elif field.source in columns and type(field).get_attribute is Field.get_attribute:
            if isinstance(field, serializers.DateTimeField) and _keeps_iso_output(field):
                convert = _ISO
            else:
                convert = field.to_representation
            plan.append((name, attrgetter(field.source), convert, field))
        else:
            plan.append((name, None, field.to_representation, field))
    return plan


class PlannedRepresentationMixin:
    """``to_representation`` through :func:`representation_plan` (made once per serializer
    instance: with ``many=True`` the child, once per collection; or once per class, with the time
    zone bound per instance, when the class sets ``shared_representation_plan``). Put it before
    the serializer class in the bases."""

    #: Make the plan once per class (see the module's docstring for the contract).
    shared_representation_plan = False

    def _plan_entries(self) -> list[PlanEntry]:
        plan = self.__dict__.get("_representation_plan")
        if plan is not None:
            return plan
        cls = type(self)
        if cls.shared_representation_plan:
            shared = cls.__dict__.get("_shared_plan")
            if shared is None:
                shared = _plan_of_fields(cls())
                cls._shared_plan = shared  # per class: a subclass makes its own
            plan = _with_time_zone(shared)
        else:
            plan = representation_plan(self)
        self.__dict__["_representation_plan"] = plan
        return plan

    def to_representation(self, instance):
        ret = {}
        for name, getter, convert, field in self._plan_entries():
            if getter is _METHOD:
                ret[name] = getattr(self, convert)(instance)
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
