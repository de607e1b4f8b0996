"""Browser forms of hand-offs: the offer on the refusal page, the provider's filing and decline."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from ..choices import IssueType, Severity
from ..forms import ContactFieldsForm
from .services import DECLINE_REASON_MAX, DESCRIPTION_MAX

#: The contact fields' labels on the hand-off form, which asks for the reseller's own contact.
YOUR_CONTACT_LABELS = {
    "contact_first_name": gettext_lazy("Your first name"),
    "contact_last_name": gettext_lazy("Your last name"),
    "contact_email": gettext_lazy("Your e-mail address"),
    "contact_phone": gettext_lazy("Your phone number"),
}


class HandoffForm(ContactFieldsForm):
    """What the reseller asks the provider to file: the refused request's subscription and issue type
    (hidden, from the refusal), the problem, and the reseller's contact."""

    subscription_id = forms.UUIDField(widget=forms.HiddenInput)
    issue_type = forms.ChoiceField(choices=IssueType.choices, widget=forms.HiddenInput)
    title = forms.CharField(label=gettext_lazy("Summary"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=DESCRIPTION_MAX,
    )
    severity = forms.ChoiceField(
        choices=Severity.choices, initial=Severity.MINIMAL, label=gettext_lazy("Severity")
    )

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
        for name, label in YOUR_CONTACT_LABELS.items():
            self.fields[name].label = label
        self.fields["contact_email"].help_text = gettext_lazy(
            "The provider and its engineers reach you here."
        )
        self.fields["contact_phone"].help_text = ""


class HandoffFileForm(forms.Form):
    """The provider's one-click filing, pre-filled from the hand-off."""

    title = forms.CharField(label=gettext_lazy("Summary"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000
    )
    severity = forms.ChoiceField(choices=Severity.choices, label=gettext_lazy("Severity"))


class HandoffDeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for declining"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=DECLINE_REASON_MAX,
        help_text=gettext_lazy("The reseller reads it."),
    )


class HandoffNoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Add a note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=10000
    )
