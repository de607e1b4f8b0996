"""Forms of the API access page (settings → API access)."""

from django import forms

from .services import DEFAULT_EXPIRY, EXPIRY_CHOICES, NAME_MAX


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=NAME_MAX, help_text="What the token is for, e.g. 'ticket sync script'.", strip=True
    )
    expires_in = forms.ChoiceField(
        label="Expires after",
        choices=[(value, label) for value, (label, _) in EXPIRY_CHOICES.items()],
        initial=DEFAULT_EXPIRY,
    )


class ApiTokenRevokeForm(forms.Form):
    token_key = forms.CharField(max_length=25)
