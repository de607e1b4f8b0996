"""Browser form of the audit log: the filters (shared by the page and its CSV export)."""

from __future__ import annotations

from django import forms

from .selectors import KNOWN_ACTIONS, AuditFilters, day_after, day_start


class AuditLogFilterForm(forms.Form):
    """Filter by actor, customer, action, object (type and id) and an inclusive date range (UTC)."""

    actor = forms.ModelChoiceField(queryset=None, required=False, label="Actor", empty_label="Anyone")
    customer = forms.ModelChoiceField(
        queryset=None, required=False, label="Customer", empty_label="Any customer"
    )
    action = forms.CharField(
        required=False,
        max_length=64,
        label="Action",
        widget=forms.TextInput(attrs={"list": "audit-actions", "placeholder": "e.g. servicerequest.filed"}),
    )
    object_type = forms.CharField(
        required=False,
        max_length=64,
        label="Object type",
        widget=forms.TextInput(attrs={"placeholder": "e.g. servicerequests.ServiceRequest"}),
    )
    object_id = forms.CharField(required=False, max_length=80, label="Object id")
    date_from = forms.DateField(
        required=False, label="From (UTC)", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To (UTC)", widget=forms.DateInput(attrs={"type": "date"})
    )

    known_actions = KNOWN_ACTIONS

    def __init__(self, *args, users, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = users
        self.fields["customer"].queryset = customers

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "must be on or after the From date.")
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
