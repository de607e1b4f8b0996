"""Browser forms of the servicerequests app: New request, own subscription, notes (the list
filters are ``filters.ServiceRequestListPageFilterSet``).

Forms only parse input; eligibility and writes stay in the engine and the services.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from customers.choices import Workload
from customers.models import Subscription
from customers.selectors import customer_list

from .choices import IssueType, Severity

# Failed rules a user fixes in one field of the form: shown inline next to that field instead of
# on the rule-table page (rule id → form field).
RULE_FIELDS: dict[str, str] = {
    "SR-CONTACT-IS-PARTNER": "contact_email",
    "SR-CRITICAL-NEEDS-PHONE": "contact_phone",
    "SR-OWN-SUBSCRIPTION-ENTITLEMENT": "support_entitlement_id",
}

FILING_WORKLOADS = (Workload.AZURE, Workload.M365, Workload.EMS, Workload.DYNAMICS)


def rule_failures_as_field_errors(form: forms.Form, decision) -> bool:
    """Put each failed rule that one field of ``form`` fixes next to that field.

    Returns True when every failed rule was placed (the form can simply be shown
    again); False when some failed rule needs the full rule table.
    """
    failed = decision.failed_outcomes
    placeable = [o for o in failed if RULE_FIELDS.get(o.rule_id) in form.fields]
    if len(placeable) != len(failed):
        return False
    for outcome in placeable:
        text = f"{outcome.rule_id}: {outcome.message}"
        if outcome.remedy:
            text += f" {outcome.remedy}"  # the engine's sentences, each whole
        form.add_error(RULE_FIELDS[outcome.rule_id], text)
    return True


def validation_error_to_form(form: forms.Form, exc: ValidationError) -> None:
    """Copy a service's ``ValidationError({field: [reason]})`` onto the form, field by field."""
    for field, messages in exc.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message if target else f"{field}: {message}")


def _blank(label: str) -> list[tuple[str, str]]:
    return [("", label)]


class WorkloadChoiceForm(forms.Form):
    """Step one of New request: which workload the problem is about."""

    workload = forms.ChoiceField(
        choices=[(w.value, w.label) for w in (*FILING_WORKLOADS, Workload.MARKETPLACE)],
        widget=forms.RadioSelect,
        label=gettext_lazy("Which product is the problem about?"),
    )


class CustomerPickForm(forms.Form):
    """New request from Service requests: which customer (one the actor's partner serves) and
    which workload."""

    customer = forms.UUIDField(
        label=gettext_lazy("Customer"), error_messages={"required": gettext_lazy("Choose a customer.")}
    )
    workload = WorkloadChoiceForm.base_fields["workload"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean_customer(self):
        customer = customer_list(actor=self.actor).filter(pk=self.cleaned_data["customer"]).first()
        if customer is None:
            raise forms.ValidationError(_("Choose one of your customers."))
        return customer


class NewRequestForm(forms.Form):
    """Step two of New request: for Azure the subscription and issue type; for marketplace the product."""

    workload = forms.ChoiceField(choices=WorkloadChoiceForm.base_fields["workload"].choices)
    subscription = forms.ModelChoiceField(
        queryset=Subscription.objects.none(),
        error_messages={
            "required": gettext_lazy("Choose one of this customer's subscriptions."),
            "invalid_choice": gettext_lazy("Choose one of this customer's subscriptions."),
        },
    )
    issue_type = forms.ChoiceField(
        choices=_blank(gettext_lazy("Choose an issue type")) + list(IssueType.choices),
        label=gettext_lazy("Issue type"),
        error_messages={"required": gettext_lazy("Choose the issue type.")},
    )

    def __init__(self, *args, customer, workload: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["workload"].widget = forms.HiddenInput()
        self.fields["workload"].initial = workload
        subscriptions = Subscription.objects.filter(customer=customer, workload=workload).order_by("offer")
        field = self.fields["subscription"]
        field.queryset = subscriptions
        if workload == Workload.AZURE:
            field.label = _("Azure subscription")
            field.empty_label = _("Choose a subscription")
            # Name and status first: a narrow select cuts the end of the label, the id.
            field.label_from_instance = lambda s: (
                f"{s.offer} — {s.get_status_display()} · {s.azure_subscription_id}"
            )
        elif workload == Workload.MARKETPLACE:
            field.label = _("Marketplace product")
            field.empty_label = _("Choose a product")
            unknown = pgettext("marketplace product", "unknown publisher")
            field.label_from_instance = lambda s: f"{s.offer} ({s.isv.name if s.isv_id else unknown})"
        else:
            del self.fields["subscription"]
        if workload != Workload.AZURE:
            del self.fields["issue_type"]


class ContactFieldsForm(forms.Form):
    """Contact information of a request: the partner's person, prefilled from the signed-in user."""

    contact_first_name = forms.CharField(label=gettext_lazy("First name"), max_length=100)
    contact_last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=100)
    contact_email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        help_text=gettext_lazy("Your e-mail at the partner, never the customer's (SR-CONTACT-IS-PARTNER)."),
    )
    contact_phone = forms.CharField(
        label=gettext_lazy("Phone number"),
        max_length=64,
        required=False,
        help_text=gettext_lazy("Required for critical severity."),
    )

    @staticmethod
    def initial_contact(user) -> dict[str, str]:
        return {
            "contact_first_name": user.first_name,
            "contact_last_name": user.last_name,
            "contact_email": user.email,
            "contact_phone": user.phone,
        }


class OwnSubscriptionRequestForm(ContactFieldsForm):
    """A request about the partner's own subscription (SR-OWN-SUBSCRIPTION-ENTITLEMENT)."""

    workload = forms.ChoiceField(
        choices=[(w.value, w.label) for w in FILING_WORKLOADS], label=gettext_lazy("Product")
    )
    support_entitlement_id = forms.ChoiceField(label=gettext_lazy("Support entitlement"), required=False)
    title = forms.CharField(label=gettext_lazy("Summary"), max_length=200)
    description = forms.CharField(label=gettext_lazy("Description"), widget=forms.Textarea, max_length=10000)
    severity = forms.ChoiceField(
        choices=Severity.choices, initial=Severity.MINIMAL, label=gettext_lazy("Severity")
    )

    field_order = [
        "workload",
        "support_entitlement_id",
        "title",
        "description",
        "severity",
        "contact_first_name",
        "contact_last_name",
        "contact_email",
        "contact_phone",
    ]

    def __init__(self, *args, entitlements, now, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("None — I don't have one"))]
        for e in entitlements:
            names = {"kind": e.get_kind_display(), "id": e.entitlement_id}
            if e.valid_until:
                names["until"] = formats.date_format(e.valid_until, "SHORT_DATE_FORMAT")
            valid = e.is_valid(now)
            if e.valid_until is None:
                label = _("%(kind)s %(id)s (valid)") if valid else _("%(kind)s %(id)s (expired)")
            elif valid:
                label = _("%(kind)s %(id)s (valid until %(until)s)")
            else:
                label = _("%(kind)s %(id)s (expired on %(until)s)")
            choices.append((e.entitlement_id, label % names))
        self.fields["support_entitlement_id"].choices = choices


class NoteForm(forms.Form):
    """A note on a service request."""

    text = forms.CharField(
        label=gettext_lazy("Add a note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000
    )
