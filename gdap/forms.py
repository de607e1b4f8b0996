"""Browser forms for GDAP. They check types only; the GDAP-* rules are the services' (their errors are
put back on the field they name, see ``add_service_error``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.selectors import customer_list
from partners.choices import PartnerType
from partners.models import Partner
from partners.selectors import security_group_list

from .exceptions import GdapError
from .selectors import role_catalogue

# Service error field (wire name) → form field.
SERVICE_FIELDS = {
    "displayName": "display_name",
    "duration": "duration_days",
    "accessDetails": "roles",
    "autoExtendDuration": "auto_extend",
    "customer": "customer",
    "createdForReseller": "created_for_reseller",
    "accessContainer": "security_group",
    "roles": "roles",
    "name": "name",
}


def add_service_error(form: forms.Form, exc: GdapError) -> None:
    """Show a service error inline, on the field it names when the form has it."""
    field = SERVICE_FIELDS.get(exc.field or "")
    form.add_error(field if field in form.fields else None, str(exc))


def role_choices(roles=None):
    return [(str(r.pk), r.name) for r in (roles if roles is not None else role_catalogue())]


class RelationshipForm(forms.Form):
    """Create (or, while ``created``, edit) a relationship."""

    display_name = forms.CharField(
        label=_("Relationship name"), help_text=_("At most 50 characters, unique.")
    )
    customer = forms.ModelChoiceField(queryset=None, label=_("Customer"), empty_label=_("Choose a customer"))
    duration_days = forms.IntegerField(
        label=_("Duration (days)"), initial=730, help_text=_("From 1 to 730 days.")
    )
    roles = forms.MultipleChoiceField(label=_("Microsoft Entra roles"), widget=forms.CheckboxSelectMultiple)
    auto_extend = forms.BooleanField(
        label=_("Auto-extend by 180 days"),
        required=False,
        help_text=_("Not possible with Global Administrator."),
    )
    created_for_reseller = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        label=_("For indirect reseller"),
        empty_label=_("(my own relationship)"),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customer_list(actor=actor)
        self.fields["roles"].choices = role_choices()
        partner = actor.partner
        if partner is not None and partner.type == PartnerType.INDIRECT_PROVIDER:
            self.fields["created_for_reseller"].queryset = partner.indirect_resellers.order_by("name")
        else:
            del self.fields["created_for_reseller"]


class AssignmentForm(forms.Form):
    """Grant some of the relationship's roles to one of the partner's security groups."""

    security_group = forms.ModelChoiceField(
        queryset=None, label=_("Security group"), empty_label=_("Choose a group")
    )
    roles = forms.MultipleChoiceField(label=_("Roles to grant"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, actor, relationship, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["security_group"].queryset = security_group_list(actor=actor)
        self.fields["security_group"].label_from_instance = lambda group: group.name
        self.fields["roles"].choices = role_choices(relationship.roles.all())


class RoleTemplateForm(forms.Form):
    """Save a set of roles as a template of the partner's role picker."""

    name = forms.CharField(label=_("Template name"), max_length=80)
    roles = forms.MultipleChoiceField(label=_("Roles"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = role_choices()


class AutoExtendForm(forms.Form):
    enabled = forms.BooleanField(required=False, label=_("Auto-extend by 180 days"))


class InvitationDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve all")), ("reject", _("Reject"))])
