"""Browser form of the webhook registration page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import EventName


class WebhookRegistrationForm(forms.Form):
    """URL and events of a new registration (the service checks the URL against the SSRF rules)."""

    url = forms.CharField(
        label=_("Webhook URL"),
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://hooks.example.com/partnercenter"}),
        help_text=_("An http or https URL on a public address. Events are POSTed to it, signed."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventName.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[EventName.SERVICE_REQUEST_CREATED, EventName.SERVICE_REQUEST_UPDATED],
    )
