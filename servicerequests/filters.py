"""One filter definition of service requests, shared by the request-list page, the ``/v1`` list
endpoints and the support managers' queues.

:class:`ServiceRequestFilterSet` (django-filter) holds the ``/v1`` parameters: Partner Center's
own ``filter`` (its JSON query syntax, ``core.api.pcfilter``) and this portal's simple ones
(``status``, ``severity``, ``workload``, ``customerId``, ``assignedTo``, ``unassigned``,
``slaBreached``, ``slaState``, ``q``, ``orderBy``); drf-spectacular reads it for the OpenAPI document, so the
enumerations appear there as typed enum parameters. :class:`ServiceRequestListPageFilterSet` is the
list page's selection of it plus the customer and creator pickers. What every criterion means is
written once, in :func:`service_request_condition`: the filter sets apply it, and the queues
(``queues.definitions.QueueFilters.q``) use it for their pages, exports and maintained counts
(conditional aggregates need a ``Q``).

A bad value fails the form field of its parameter with a reason that names what is allowed; the
first failing parameter, in declaration order, is the one an API answer names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, time

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy

from core.api.pcfilter import FilterField, FilterInvalid, pc_filter_q
from core.api.pcfilter import text_value as _text_value
from core.text import ascii_digits
from customers.choices import Workload
from customers.selectors import customer_list
from partners.selectors import partner_users

from .choices import SEVERITY_INTEGERS, STATUS_INTEGERS, Severity, Status
from .sla import BREACHING_SOON_WITHIN, SlaState

#: The SLA states a list can filter on (the clock of ``servicerequests.sla``).
SLA_FILTER_STATES = (SlaState.OK, SlaState.BREACHING_SOON, SlaState.BREACHED)

#: ``orderBy`` values → ORDER BY (each backed by an index with the partner first).
ORDER_BY = {
    "createdDate": ("created_at", "id"),
    "-createdDate": ("-created_at", "-id"),
    "lastModifiedDate": ("updated_at", "id"),
    "-lastModifiedDate": ("-updated_at", "-id"),
    "slaDueDate": ("sla_due_at", "id"),
    "-slaDueDate": ("-sla_due_at", "-id"),
}
DEFAULT_ORDER_BY = "-createdDate"
#: ``assignedTo`` value for "nobody".
UNASSIGNED = "none"


def _running() -> Q:
    return Q(sla_due_at__isnull=False, first_response_at__isnull=True, closed_at__isnull=True)


def sla_state_q(state: str, *, now: datetime) -> Q:
    """The rows whose SR-PRIORITY state at ``now`` is ``state`` (the same answer as
    ``ServiceRequest.sla_state_at(now)``, as a filter). ``ValueError`` for another state."""
    soon = now + BREACHING_SOON_WITHIN
    if state == SlaState.OK:
        return _running() & Q(sla_due_at__gt=soon)
    if state == SlaState.BREACHING_SOON:
        return _running() & Q(sla_due_at__gt=now, sla_due_at__lte=soon)
    if state == SlaState.BREACHED:
        # Running past due, or stopped (first response / closing, whichever came first) after due.
        stopped_late = Q(sla_due_at__isnull=False) & (
            (
                Q(first_response_at__gt=F("sla_due_at"))
                & (Q(closed_at__isnull=True) | Q(closed_at__gt=F("sla_due_at")))
            )
            | Q(first_response_at__isnull=True, closed_at__gt=F("sla_due_at"))
        )
        return (_running() & Q(sla_due_at__lte=now)) | stopped_late
    raise ValueError(f"{state!r} is not one of {', '.join(SLA_FILTER_STATES)}")


def service_request_condition(
    *,
    statuses: Sequence[str] = (),
    severities: Sequence[str] = (),
    workloads: Sequence[str] = (),
    customer_id=None,
    created_by_id=None,
    assigned_to_id=None,
    assigned_to_username: str = "",
    unassigned: bool | None = None,
    sla_breached: bool | None = None,
    sla_states: Sequence[str] = (),
    text: str = "",
    now: datetime | None = None,
) -> Q:
    """What the filters mean, as one ``Q`` (an empty criterion means "any"): the filter set applies
    it to a list, and a queue uses it for its page and for its maintained counts (conditional
    aggregates need a ``Q``). ``sla_states`` match any of them at ``now`` (default: now);
    ``text`` matches words of the title, or the start of the id when it is all digits."""
    condition = Q()
    if statuses:
        condition &= Q(status__in=list(statuses))
    if workloads:
        condition &= Q(workload__in=list(workloads))
    if severities:
        condition &= Q(severity__in=list(severities))
    if customer_id:
        condition &= Q(customer_id=customer_id)
    if created_by_id is not None:
        condition &= Q(created_by_id=created_by_id)
    if assigned_to_id is not None:
        condition &= Q(assigned_to_id=assigned_to_id)
    if assigned_to_username:
        condition &= Q(assigned_to__username=assigned_to_username)
    if unassigned is not None:
        condition &= Q(assigned_to__isnull=unassigned)
    if sla_breached is not None:
        condition &= Q(sla_breached=sla_breached)
    if sla_states:
        now = now or timezone.now()
        any_state = Q()
        for state in sla_states:
            any_state |= sla_state_q(state, now=now)
        condition &= any_state
    text = text.strip()
    if text:
        matches = Q(title__icontains=text)
        if ascii_digits(text):
            matches |= Q(id__startswith=text)
        condition &= matches
    return condition


# Partner Center's ``filter`` (core.api.pcfilter) -------------------------------------------------


def _enum_converter(choices, integers: dict[int, str]):
    """Partner Center's enum names (``AttentionNeeded``), ours (``attention_needed``) or its integers."""
    names = {re.sub(r"_", "", value).lower(): value for value in choices.values}
    pascal = ", ".join(label.title().replace(" ", "") for label in choices.labels)

    def convert(value):
        text = str(value).strip()
        if ascii_digits(text) and int(text) in integers:
            return str(integers[int(text)])
        key = re.sub(r"[_\s]", "", text).lower()
        if key not in names:
            raise ValueError(f"{text!r} is not one of {pascal}")
        return names[key]

    return convert


def _datetime_value(value) -> datetime:
    text = str(value).strip()
    try:
        moment = parse_datetime(text)
        if moment is None and (day := parse_date(text)) is not None:
            moment = datetime.combine(day, time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise ValueError(f"{text!r} is not an ISO 8601 date or date and time")
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


def _id_value(value) -> str:
    text = str(value).strip()
    if not ascii_digits(text) or len(text) > 32:
        raise ValueError(f"{text!r} is not a service request id (digits)")
    return text


_ORDERED = (
    "equals",
    "not_equals",
    "greater_than",
    "greater_than_or_equals",
    "less_than",
    "less_than_or_equals",
)
_TEXT = ("equals", "not_equals", "substring", "starts_with", "not_starts_with")

#: The fields of a service request that Partner Center's ``filter`` may name, as it spells them.
PARTNER_CENTER_FILTER_FIELDS = {
    "Status": FilterField("status", ("equals", "not_equals"), _enum_converter(Status, STATUS_INTEGERS)),
    "Severity": FilterField(
        "severity", ("equals", "not_equals"), _enum_converter(Severity, SEVERITY_INTEGERS)
    ),
    "CreatedDate": FilterField("created_at", _ORDERED, _datetime_value),
    "LastModifiedDate": FilterField("updated_at", _ORDERED, _datetime_value),
    "Title": FilterField("title", _TEXT, _text_value),
    "Id": FilterField("id", ("equals", "not_equals", "starts_with"), _id_value),
}


# Form fields of the parameters -------------------------------------------------------------------


class PartnerCenterFilterField(forms.CharField):
    """Partner Center's ``filter`` JSON → a ``Q`` over :data:`PARTNER_CENTER_FILTER_FIELDS`."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return pc_filter_q(value, PARTNER_CENTER_FILTER_FIELDS)
        except FilterInvalid as exc:
            # The code carries the part (filter.Field, …): first_error names it, not "filter".
            raise ValidationError(exc.reason, code=exc.part) from None


class EnumListField(forms.Field):
    """Comma-separated values of an enumeration (integer aliases allowed where the real API has
    them) → a list of values. ``drop_empty``: ignore empty items, and answer ``invalid_message``
    (instead of naming the bad item) for any bad value. ``multiple`` False: one value, no alias
    (a form's select). :class:`EnumListFilter` combines it with django-filter's ``ChoiceField``,
    which renders it as a select of the choices in a form."""

    default_error_messages = {"invalid_choice": "%(value)r is not one of %(allowed)s"}
    multiple = True

    def __init__(self, *args, allowed=(), aliases=None, drop_empty=False, invalid_message="", **kwargs):
        self.allowed = [str(v) for v in allowed]
        self.aliases = {int(k): str(v) for k, v in (aliases or {}).items()}
        self.drop_empty = drop_empty
        self.invalid_message = invalid_message
        super().__init__(*args, **kwargs)

    def clean(self, value):
        if value in self.empty_values:
            return []
        parts = [part.strip() for part in str(value).split(",")] if self.multiple else [str(value)]
        if self.drop_empty:
            parts = [part for part in parts if part]
            if not parts or any(part not in self.allowed for part in parts):
                raise ValidationError(self.invalid_message, code="invalid_choice")
            return parts
        result = []
        for part in parts:
            if self.multiple and ascii_digits(part) and int(part) in self.aliases:
                part = self.aliases[int(part)]
            if part not in self.allowed:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": part, "allowed": ", ".join(self.allowed)},
                )
            result.append(part)
        return result


class TrueFalseField(forms.Field):
    """``true`` or ``false`` (any case) → bool; empty → None."""

    def clean(self, value):
        if value in self.empty_values:
            return None
        lowered = str(value).lower()
        if lowered not in ("true", "false"):
            raise ValidationError("must be true or false", code="invalid")
        return lowered == "true"


# Filters -----------------------------------------------------------------------------------------


class EnumListFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """Comma-separated values of an enumeration (OpenAPI: an array of the enum, ``explode: false``)."""

    base_field_class = EnumListField

    def __init__(self, *args, choices, aliases=None, drop_empty=False, invalid_message="", **kwargs):
        super().__init__(
            *args,
            choices=choices,
            allowed=[value for value, _label in choices],
            aliases=aliases,
            drop_empty=drop_empty,
            invalid_message=invalid_message,
            **kwargs,
        )


class PartnerCenterQueryFilter(django_filters.CharFilter):
    """Partner Center's ``filter`` (OpenAPI: a string holding the JSON)."""

    field_class = PartnerCenterFilterField


class TrueFalseFilter(django_filters.BooleanFilter):
    """``true`` / ``false`` (OpenAPI: boolean)."""

    field_class = TrueFalseField


class ServiceRequestFilterSet(django_filters.FilterSet):
    """The filters of a list of service requests (all optional), over an already scoped queryset,
    and its ``orderBy`` (default ``-createdDate``; every ordering ends with the id).

    ``parameters``: the names a subclass accepts (None: every filter declared). ``only_given``:
    build and validate only the filters whose parameter ``data`` carries (the API's lists, which
    render no form); an absent parameter filters nothing either way."""

    parameters: tuple[str, ...] | None = None

    status = EnumListFilter(
        field_name="status",
        label=gettext_lazy("Status"),
        choices=Status.choices,
        aliases=STATUS_INTEGERS,
        empty_label=gettext_lazy("Any status"),
        help_text="none, open, closed, attention_needed (or 0..3); comma-separated.",
    )
    severity = EnumListFilter(
        field_name="severity",
        label=gettext_lazy("Severity"),
        choices=Severity.choices,
        aliases=SEVERITY_INTEGERS,
        empty_label=gettext_lazy("Any severity"),
        help_text="critical, moderate, minimal (or 1..3); comma-separated.",
    )
    workload = EnumListFilter(
        field_name="workload",
        label=gettext_lazy("Workload"),
        choices=Workload.choices,
        empty_label=gettext_lazy("Any workload"),
        help_text="azure, m365, dynamics, ems, marketplace; comma-separated.",
    )
    customerId = django_filters.UUIDFilter(  # noqa: N815 - the wire name
        help_text="A customer's tenant id.", error_messages={"invalid": "must be a tenant id (GUID)"}
    )
    assignedTo = django_filters.CharFilter(  # noqa: N815
        help_text=f"An assignee's username, or {UNASSIGNED!r}."
    )
    slaBreached = TrueFalseFilter(help_text="true or false.")  # noqa: N815
    unassigned = TrueFalseFilter(help_text="true: nobody is assigned; false: somebody is.")
    slaState = EnumListFilter(  # noqa: N815
        choices=[(str(state), SlaState(state).label) for state in SLA_FILTER_STATES],
        drop_empty=True,
        invalid_message=f"must be one of {', '.join(SLA_FILTER_STATES)}",
        help_text="SR-PRIORITY clock state now: ok, breaching_soon (due within 1 h), breached; "
        "comma-separated.",
    )
    q = django_filters.CharFilter(help_text="Words of the title, or the start of the request id.")
    filter = PartnerCenterQueryFilter(
        help_text='Partner Center\'s query syntax: URL-encoded JSON {"Field", "Value", "Operator"}, or '
        '{"LeftFilter", "RightFilter", "Operator": "and"|"or"}. Fields: '
        + ", ".join(PARTNER_CENTER_FILTER_FIELDS)
        + ". Operators: equals, not_equals, greater_than[_or_equals], less_than[_or_equals], substring, "
        "starts_with, not_starts_with (docs/api.md says which field takes which).",
    )
    orderBy = django_filters.ChoiceFilter(  # noqa: N815
        choices=[(key, key) for key in ORDER_BY],
        error_messages={"invalid_choice": f"must be one of {', '.join(ORDER_BY)}"},
        help_text=f"Default {DEFAULT_ORDER_BY}.",
    )

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, only_given=False):
        # The instance's own ``base_filters`` (the class's, narrowed): django-filter copies each
        # instance's filters from it, so the filters left out are neither copied nor built.
        given = data if data is not None else {}
        self.base_filters = {
            name: f
            for name, f in type(self).base_filters.items()
            if (self.parameters is None or name in self.parameters) and (not only_given or name in given)
        }
        super().__init__(data, queryset, request=request, prefix=prefix)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        """The valid parameters as one :func:`service_request_condition`, then ``orderBy``."""
        data = self.form.cleaned_data
        assigned_to = data.get("assignedTo") or ""
        customer = data.get("customer")
        created_by = data.get("created_by")
        condition = service_request_condition(
            statuses=data.get("status") or (),
            severities=data.get("severity") or (),
            workloads=data.get("workload") or (),
            customer_id=customer.pk if customer is not None else data.get("customerId"),
            created_by_id=created_by.pk if created_by is not None else None,
            assigned_to_username="" if assigned_to == UNASSIGNED else assigned_to,
            unassigned=data.get("unassigned"),
            sla_breached=data.get("slaBreached"),
            sla_states=data.get("slaState") or (),
            text=data.get("q") or "",
        )
        if assigned_to == UNASSIGNED:
            condition &= service_request_condition(unassigned=True)
        if data.get("filter") is not None:
            condition &= data["filter"]
        order_by = data.get("orderBy") or DEFAULT_ORDER_BY
        return queryset.filter(condition).order_by(*ORDER_BY[order_by])

    def first_error(self) -> tuple[str, str] | None:
        """``(parameter, reason)`` of the first parameter with a bad value, or None; for Partner
        Center's ``filter``, the part of it that is wrong (``filter.Field``, …)."""
        for name, reasons in self.form.errors.as_data().items():
            error = reasons[0]
            reason = " ".join(error.messages)
            if name == "filter":
                return error.code or name, reason
            return name, reason
        return None


def _user_label(user) -> str:
    return user.get_full_name() or user.username


class ServiceRequestListPageFilterSet(ServiceRequestFilterSet):
    """The request-list page's filters: status, severity, workload, and the customer and the
    creator picked among those the signed-in user sees (``request`` is required)."""

    parameters = ("status", "severity", "workload", "customer", "created_by")

    customer = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Customer"),
        queryset=lambda request: customer_list(actor=request.user),
        empty_label=gettext_lazy("Any customer"),
    )
    created_by = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Created by"),
        queryset=lambda request: partner_users(actor=request.user),
        empty_label=gettext_lazy("Anyone"),
    )

    def __init__(self, data=None, queryset=None, *, request, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        fields = self.form.fields
        for name in ("status", "severity", "workload"):
            # A select: one value, and the select's own message for anything else.
            fields[name].multiple = False
            fields[name].error_messages["invalid_choice"] = forms.ChoiceField.default_error_messages[
                "invalid_choice"
            ]
        for field in fields.values():
            field.help_text = ""  # the API's parameter descriptions; the page shows none
        fields["created_by"].label_from_instance = _user_label
