"""Browser forms of the customers app."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CustomerSearchForm(forms.Form):
    """Search the customer list by name or domain (prefix, case-insensitive)."""

    q = forms.CharField(
        label=_("Search by name or domain"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or domain")}),
    )
