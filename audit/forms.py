"""Browser form of the audit log: the filters (shared by the page and its CSV export)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .selectors import KNOWN_ACTIONS, AuditFilters, day_after, day_start


class AuditLogFilterForm(forms.Form):
    """Filter by actor, customer, action, object (type and id) and an inclusive date range (UTC)."""

    actor = forms.ModelChoiceField(queryset=None, required=False, label=_("Actor"), empty_label=_("Anyone"))
    customer = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Customer"), empty_label=_("Any customer")
    )
    action = forms.CharField(
        required=False,
        max_length=64,
        label=_("Action"),
        widget=forms.TextInput(attrs={"list": "audit-actions"}),
    )
    object_type = forms.CharField(
        required=False,
        max_length=64,
        label=_("Object type"),
        widget=forms.TextInput(),
    )
    object_id = forms.CharField(required=False, max_length=80, label=_("Object id"))
    date_from = forms.DateField(
        required=False, label=_("From (UTC)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label=_("To (UTC)"), widget=forms.DateInput(attrs={"type": "date"})
    )

    known_actions = KNOWN_ACTIONS

    def __init__(self, *args, users, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = users
        self.fields["customer"].queryset = customers
        for name, example in (
            ("action", "servicerequest.filed"),
            ("object_type", "servicerequests.ServiceRequest"),
        ):
            self.fields[name].widget.attrs["placeholder"] = gettext("e.g. %(example)s") % {"example": example}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("must be on or after the From date."))
        return cleaned

    def filters(self) -> AuditFilters:
        """The filters of a valid form (an invalid form filters nothing: the page shows its errors)."""
        if not self.is_valid():
            return AuditFilters()
        data = self.cleaned_data
        return AuditFilters(
            actor_id=data["actor"].pk if data.get("actor") else None,
            customer_id=data["customer"].pk if data.get("customer") else None,
            action=data.get("action", "").strip(),
            object_type=data.get("object_type", "").strip(),
            object_id=data.get("object_id", "").strip(),
            start=day_start(data["date_from"]) if data.get("date_from") else None,
            end=day_after(data["date_to"]) if data.get("date_to") else None,
        )
