"""Browser forms of hand-offs: the offer on the refusal page, the provider's filing and decline."""

from __future__ import annotations

from django import forms

from ..choices import IssueType, Severity
from ..forms import ContactFieldsForm
from .services import DECLINE_REASON_MAX, DESCRIPTION_MAX


class HandoffForm(ContactFieldsForm):
    """What the reseller asks the provider to file: the refused request's subscription and issue type
    (hidden, from the refusal), the problem, and the reseller's contact."""

    subscription_id = forms.UUIDField(widget=forms.HiddenInput)
    issue_type = forms.ChoiceField(choices=IssueType.choices, widget=forms.HiddenInput)
    title = forms.CharField(label="Summary", max_length=200)
    description = forms.CharField(
        label="Description", widget=forms.Textarea(attrs={"rows": 4}), max_length=DESCRIPTION_MAX
    )
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MINIMAL)

    field_order = [
        "subscription_id",
        "issue_type",
        "title",
        "description",
        "severity",
        "contact_first_name",
        "contact_last_name",
        "contact_email",
        "contact_phone",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("contact_first_name", "contact_last_name", "contact_email", "contact_phone"):
            self.fields[
                name
            ].label = f"Your {self.fields[name].label[0].lower()}{self.fields[name].label[1:]}"
        self.fields["contact_email"].help_text = "The provider and its engineers reach you here."
        self.fields["contact_phone"].help_text = ""


class HandoffFileForm(forms.Form):
    """The provider's one-click filing, pre-filled from the hand-off."""

    title = forms.CharField(label="Summary", max_length=200)
    description = forms.CharField(
        label="Description", widget=forms.Textarea(attrs={"rows": 5}), max_length=10000
    )
    severity = forms.ChoiceField(choices=Severity.choices)


class HandoffDeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason for declining",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=DECLINE_REASON_MAX,
        help_text="The reseller reads it.",
    )


class HandoffNoteForm(forms.Form):
    text = forms.CharField(label="Add a note", widget=forms.Textarea(attrs={"rows": 2}), max_length=10000)
