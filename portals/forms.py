"""Forms of the stub workload portals: Azure's New support request and the admin centers' support form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from servicerequests.choices import IssueType, Severity, SupportLanguage
from servicerequests.forms import ContactFieldsForm
from servicerequests.models import SupportTopic

# Azure's severity wording (A / B / C) for the portal's own severity values.
AZURE_SEVERITIES = (
    (Severity.CRITICAL.value, _("A – Critical impact: business is at risk, production is down")),
    (Severity.MODERATE.value, _("B – Moderate impact: business is affected")),
    (Severity.MINIMAL.value, _("C – Minimal impact: business is working with minor issues")),
)
CONTACT_METHODS = (
    ("email", pgettext_lazy("contact method", "E-mail")),
    ("phone", pgettext_lazy("contact method", "Phone")),
)
SUPPORT_PLAN_LABEL = "Cloud Solution Provider"  # Microsoft's plan name: a product name, never translated


def topic_choices(workload: str) -> list[tuple[str, str]]:
    topics = SupportTopic.objects.filter(workload=workload).order_by("name")
    return [(str(t.pk), t.name) for t in topics]


class PortalSupportForm(ContactFieldsForm):
    """Fields every portal's support form has: the problem, its severity and the partner contact."""

    title = forms.CharField(label=pgettext_lazy("support request field", "Summary"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, max_length=10000)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.MINIMAL, widget=forms.RadioSelect
    )
    contact_method = forms.ChoiceField(
        label=_("Preferred contact method"),
        choices=CONTACT_METHODS,
        initial="email",
        widget=forms.RadioSelect,
    )

    support_language = forms.ChoiceField(
        label=_("Preferred support language"),
        choices=SupportLanguage.choices,
        required=False,
        help_text=_("The language Microsoft support answers in."),
        # Each language by its own name, in every interface language.
        widget=forms.Select(attrs={"translate": "no"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("contact_method") == "phone" and not data.get("contact_phone"):
            self.add_error("contact_phone", _("Enter a phone number to be contacted by phone."))
        if data.get("severity") == Severity.CRITICAL and not data.get("contact_phone"):
            self.add_error(
                "contact_phone",
                _("%(rule)s: a critical request must carry a contact phone number.")
                % {"rule": "SR-CRITICAL-NEEDS-PHONE"},
            )
        return data


class AzureSupportRequestForm(PortalSupportForm):
    """Azure portal "New support request": problem description, additional details, support method, contact.

    The support plan is fixed to Cloud Solution Provider (SR-AZURE-SUPPORT-PLAN) and not a field.
    """

    issue_type = forms.ChoiceField(label=_("Issue type"), choices=IssueType.choices)
    support_topic_id = forms.ChoiceField(label=_("Service / support topic"))

    field_order = [
        "issue_type",
        "support_topic_id",
        "title",
        "description",
        "severity",
        "contact_method",
        "support_language",
        "contact_first_name",
        "contact_last_name",
        "contact_email",
        "contact_phone",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_topic_id"].choices = [("", _("Choose a service"))] + topic_choices("azure")
        self.fields["severity"].choices = AZURE_SEVERITIES


class AdminCenterSupportForm(PortalSupportForm):
    """Microsoft 365 / Power Platform admin center support form, after a support category was chosen."""

    support_topic_id = forms.ChoiceField(label=_("Support category"), widget=forms.HiddenInput)

    def __init__(self, *args, workload: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_topic_id"].choices = topic_choices(workload)
