"""Forms of the settings pages API access (personal tokens) and Applications (app registrations)."""

from django import forms
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.api.scopes import SCOPES

from .applications import DEFAULT_SECRET_DAYS, SECRET_LIFETIMES_DAYS
from .services import DEFAULT_EXPIRY, EXPIRY_CHOICES, NAME_MAX


def _days_text(days: int) -> str:
    if days % 365 == 0:
        years = days // 365
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


#: A lifetime in words ("180 days", "1 year"), in the language active when a form renders it.
_days_label = lazy(_days_text, str)


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX,
        help_text=_("What the token is for, e.g. 'ticket sync script'."),
        strip=True,
    )
    expires_in = forms.ChoiceField(
        label=_("Expires after"),
        choices=[(value, label) for value, (label, _lifetime) in EXPIRY_CHOICES.items()],
        initial=DEFAULT_EXPIRY,
    )


class ApiTokenRevokeForm(forms.Form):
    token_key = forms.CharField(max_length=25)


class ApplicationCreateForm(forms.Form):
    """Settings → Applications: register an app (its groups are the partner's, set by the view)."""

    display_name = forms.CharField(
        label=_("Name"),
        max_length=100,
        strip=True,
        help_text=_("What the app is, e.g. 'PSA sync (HaloPSA)'."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[
            (scope, format_lazy("{} — {}", scope, _(description))) for scope, description in SCOPES.items()
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Grant only what the app needs; every endpoint requires one scope."),
    )
    security_groups = forms.MultipleChoiceField(
        label=_("Security groups"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The app's service identity joins these groups: their GDAP access applies to it."),
    )
    secret_expires_in_days = forms.TypedChoiceField(
        label=_("Secret expires after"),
        coerce=int,
        choices=[(days, _days_label(days)) for days in SECRET_LIFETIMES_DAYS],
        initial=DEFAULT_SECRET_DAYS,
    )

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["security_groups"].choices = [(str(group.pk), group.name) for group in groups]


class ApplicationSecretAddForm(forms.Form):
    registration_id = forms.UUIDField(widget=forms.HiddenInput)
    description = forms.CharField(label=_("Description"), max_length=100, required=False, strip=True)
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires after"),
        coerce=int,
        choices=[(days, _days_label(days)) for days in SECRET_LIFETIMES_DAYS],
        initial=DEFAULT_SECRET_DAYS,
    )


class ApplicationSecretRevokeForm(forms.Form):
    registration_id = forms.UUIDField()
    secret_id = forms.UUIDField()


class ApplicationRemoveForm(forms.Form):
    registration_id = forms.UUIDField()
