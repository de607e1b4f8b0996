"""Audit events in words, for the audit log page: "Alice Admin signed in", "Alice Admin filed
service request 443396999279963 for Fabrikam" (rules as data: one sentence per action).

Each sentence is translated whole, with named placeholders (``%(actor)s``, ``%(object)s``,
``%(customer)s``), so that Portuguese can order the words its own way and make the article agree
with the object (the object of an action is always of the same kind: a service request, a GDAP
relationship, an application…). An action that can concern a customer has a second sentence that
names it. The action id and the object's type and id stay on the page beside the sentence
(support people search by them); the CSV export and the API keep the raw fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Sentence:
    """What happened, in words: ``alone`` without a customer, ``for_customer`` naming it (``None``:
    the action never concerns a customer, and a recorded customer is left out of the sentence)."""

    alone: Promise
    for_customer: Promise | None = None


#: The sentence of each action written by this portal (tests check every ``KNOWN_ACTIONS`` has one).
ACTION_SENTENCES: dict[str, Sentence] = {
    "api_token.created": Sentence(_("%(actor)s created an API token")),
    "api_token.revoked": Sentence(_("%(actor)s revoked an API token")),
    "application.created": Sentence(_("%(actor)s registered %(object)s")),
    "application.removed": Sentence(_("%(actor)s removed %(object)s")),
    "application.secret_added": Sentence(_("%(actor)s added a secret to %(object)s")),
    "application.secret_revoked": Sentence(_("%(actor)s revoked a secret of %(object)s")),
    "application.token_issued": Sentence(_("%(actor)s obtained an access token")),
    "audit.partition_dropped": Sentence(
        _("%(actor)s deleted the %(object)s at the end of their retention period")
    ),
    "auth.permission_denied": Sentence(_("%(actor)s was refused a page or an API call")),
    "auth.sign_in_failed": Sentence(_("%(actor)s failed to sign in")),
    "auth.signed_in": Sentence(_("%(actor)s signed in")),
    "auth.signed_out": Sentence(_("%(actor)s signed out")),
    "dispatch.failed": Sentence(
        _("%(actor)s saw %(object)s fail"),
        _("%(actor)s saw %(object)s fail for %(customer)s"),
    ),
    "dispatch.purged": Sentence(
        _("%(actor)s deleted delivered portal deliveries at the end of their retention period")
    ),
    "dispatch.retried": Sentence(
        _("%(actor)s retried %(object)s"),
        _("%(actor)s retried %(object)s for %(customer)s"),
    ),
    "gdap.assignment.created": Sentence(
        _("%(actor)s assigned a security group in %(object)s"),
        _("%(actor)s assigned a security group in %(object)s for %(customer)s"),
    ),
    "gdap.assignment.deleting": Sentence(
        _("%(actor)s removed a security group's assignment in %(object)s"),
        _("%(actor)s removed a security group's assignment in %(object)s for %(customer)s"),
    ),
    "gdap.assignment.update_requested": Sentence(
        _("%(actor)s asked to change an assignment in %(object)s"),
        _("%(actor)s asked to change an assignment in %(object)s for %(customer)s"),
    ),
    "gdap.assignment.updated": Sentence(
        _("%(actor)s changed an assignment in %(object)s"),
        _("%(actor)s changed an assignment in %(object)s for %(customer)s"),
    ),
    "gdap.relationship.activated": Sentence(
        _("%(actor)s saw %(object)s become active"),
        _("%(actor)s saw %(object)s become active for %(customer)s"),
    ),
    "gdap.relationship.activating": Sentence(
        _("%(actor)s saw %(object)s being activated"),
        _("%(actor)s saw %(object)s being activated for %(customer)s"),
    ),
    "gdap.relationship.auto_extended": Sentence(
        _("%(actor)s saw %(object)s extended automatically"),
        _("%(actor)s saw %(object)s extended automatically for %(customer)s"),
    ),
    "gdap.relationship.expiring": Sentence(
        _("%(actor)s saw %(object)s about to expire"),
        _("%(actor)s saw %(object)s about to expire for %(customer)s"),
    ),
    "gdap.relationship.expiry_notice": Sentence(
        _("%(actor)s sent the expiry notice of %(object)s"),
        _("%(actor)s sent the expiry notice of %(object)s for %(customer)s"),
    ),
    "gdap.relationship.request_expired": Sentence(
        _("%(actor)s saw the approval request of %(object)s expire"),
        _("%(actor)s saw the approval request of %(object)s expire for %(customer)s"),
    ),
    "gdap.relationship.role_removal_requested": Sentence(
        _("%(actor)s asked to remove roles from %(object)s"),
        _("%(actor)s asked to remove roles from %(object)s for %(customer)s"),
    ),
    "gdap.relationship.roles_removed": Sentence(
        _("%(actor)s removed roles from %(object)s"),
        _("%(actor)s removed roles from %(object)s for %(customer)s"),
    ),
    "gdap.relationship.terminating": Sentence(
        _("%(actor)s saw %(object)s being terminated"),
        _("%(actor)s saw %(object)s being terminated for %(customer)s"),
    ),
    "gdap.relationship.approved": Sentence(
        _("%(actor)s approved %(object)s"),
        _("%(actor)s approved %(object)s for %(customer)s"),
    ),
    "gdap.relationship.created": Sentence(
        _("%(actor)s created %(object)s"),
        _("%(actor)s created %(object)s for %(customer)s"),
    ),
    "gdap.relationship.deleted": Sentence(
        _("%(actor)s deleted %(object)s"),
        _("%(actor)s deleted %(object)s for %(customer)s"),
    ),
    "gdap.relationship.expired": Sentence(
        _("%(actor)s saw %(object)s expire"),
        _("%(actor)s saw %(object)s expire for %(customer)s"),
    ),
    "gdap.relationship.locked_for_approval": Sentence(
        _("%(actor)s sent %(object)s for approval"),
        _("%(actor)s sent %(object)s for approval for %(customer)s"),
    ),
    "gdap.relationship.rejected": Sentence(
        _("%(actor)s rejected %(object)s"),
        _("%(actor)s rejected %(object)s for %(customer)s"),
    ),
    "gdap.relationship.reseller_approved": Sentence(
        _("%(actor)s approved %(object)s as the reseller"),
        _("%(actor)s approved %(object)s as the reseller for %(customer)s"),
    ),
    "gdap.relationship.reseller_rejected": Sentence(
        _("%(actor)s rejected %(object)s as the reseller"),
        _("%(actor)s rejected %(object)s as the reseller for %(customer)s"),
    ),
    "gdap.relationship.terminated": Sentence(
        _("%(actor)s terminated %(object)s"),
        _("%(actor)s terminated %(object)s for %(customer)s"),
    ),
    "gdap.relationship.termination_requested": Sentence(
        _("%(actor)s asked to terminate %(object)s"),
        _("%(actor)s asked to terminate %(object)s for %(customer)s"),
    ),
    "gdap.relationship.updated": Sentence(
        _("%(actor)s changed %(object)s"),
        _("%(actor)s changed %(object)s for %(customer)s"),
    ),
    "gdap.role_template.created": Sentence(_("%(actor)s saved a role template")),
    "portal.ticket_created": Sentence(
        _("%(actor)s opened %(object)s"),
        _("%(actor)s opened %(object)s for %(customer)s"),
    ),
    "portal.ticket_updated": Sentence(
        _("%(actor)s updated %(object)s"),
        _("%(actor)s updated %(object)s for %(customer)s"),
    ),
    "scenario.loaded": Sentence(_("%(actor)s loaded a scenario")),
    "scenario.reset": Sentence(_("%(actor)s reset the scenario data")),
    "servicerequest.attachment_added": Sentence(
        _("%(actor)s attached a file to %(object)s"),
        _("%(actor)s attached a file to %(object)s for %(customer)s"),
    ),
    "servicerequest.attachment_deleted": Sentence(
        _("%(actor)s removed a file from %(object)s"),
        _("%(actor)s removed a file from %(object)s for %(customer)s"),
    ),
    "servicerequest.attachment_downloaded": Sentence(
        _("%(actor)s downloaded a file of %(object)s"),
        _("%(actor)s downloaded a file of %(object)s for %(customer)s"),
    ),
    "servicerequest.attachments_purged": Sentence(
        _("%(actor)s purged the files of %(object)s"),
        _("%(actor)s purged the files of %(object)s for %(customer)s"),
    ),
    "servicerequest.dispatched": Sentence(
        _("%(actor)s delivered %(object)s to its portal"),
        _("%(actor)s delivered %(object)s to its portal for %(customer)s"),
    ),
    "servicerequest.filed": Sentence(
        _("%(actor)s filed %(object)s"),
        _("%(actor)s filed %(object)s for %(customer)s"),
    ),
    "servicerequest.filing_denied": Sentence(
        _("%(actor)s was refused filing a request"),
        _("%(actor)s was refused filing a request for %(customer)s"),
    ),
    "servicerequest.handoff_accepted": Sentence(
        _("%(actor)s filed a reseller's hand-off as %(object)s"),
        _("%(actor)s filed a reseller's hand-off as %(object)s for %(customer)s"),
    ),
    "servicerequest.handoff_created": Sentence(
        _("%(actor)s handed off a request to the provider"),
        _("%(actor)s handed off a request to the provider for %(customer)s"),
    ),
    "servicerequest.handoff_declined": Sentence(
        _("%(actor)s declined a reseller's hand-off"),
        _("%(actor)s declined a reseller's hand-off for %(customer)s"),
    ),
    "servicerequest.handoff_note_added": Sentence(
        _("%(actor)s added a note to a hand-off"),
        _("%(actor)s added a note to a hand-off for %(customer)s"),
    ),
    "servicerequest.note_added": Sentence(
        _("%(actor)s added a note to %(object)s"),
        _("%(actor)s added a note to %(object)s for %(customer)s"),
    ),
    "servicerequest.portal_updated": Sentence(
        _("%(actor)s saw %(object)s change in its portal"),
        _("%(actor)s saw %(object)s change in its portal for %(customer)s"),
    ),
    "servicerequest.sla_breached": Sentence(
        _("%(actor)s saw %(object)s miss its response target"),
        _("%(actor)s saw %(object)s miss its response target for %(customer)s"),
    ),
    "servicerequest.updated": Sentence(
        _("%(actor)s changed %(object)s"),
        _("%(actor)s changed %(object)s for %(customer)s"),
    ),
    "webhook.delivered": Sentence(_("%(actor)s delivered a webhook event")),
    "webhook.deliveries_purged": Sentence(
        _("%(actor)s deleted finished webhook deliveries at the end of their retention period")
    ),
    "webhook.delivery_failed": Sentence(_("%(actor)s could not deliver a webhook event")),
    "webhook.redelivered": Sentence(_("%(actor)s redelivered a webhook event")),
    "webhook.registration_created": Sentence(_("%(actor)s registered the webhook endpoint")),
    "webhook.registration_deleted": Sentence(_("%(actor)s removed the webhook endpoint")),
    "webhook.test_requested": Sentence(_("%(actor)s sent a test webhook event")),
}

#: The object of an event in words, per object type (``%(id)s``: the object's id).
OBJECT_PHRASES: dict[str, Promise] = {
    "servicerequests.ServiceRequest": pgettext_lazy("audit object", "service request %(id)s"),
    "gdap.Relationship": pgettext_lazy("audit object", "GDAP relationship %(id)s"),
    "gdap.AccessAssignment": pgettext_lazy("audit object", "access assignment %(id)s"),
    "partners.User": pgettext_lazy("audit object", "user %(id)s"),
    "partnercenter.ApiToken": pgettext_lazy("audit object", "API token %(id)s"),
    "apiaccess.AppRegistration": pgettext_lazy("audit object", "application %(id)s"),
    "servicerequests.Dispatch": pgettext_lazy("audit object", "portal delivery %(id)s"),
    "portals.PortalTicket": pgettext_lazy("audit object", "portal ticket %(id)s"),
    "audit.AuditPartition": pgettext_lazy("audit object", "audit events of %(id)s"),
}


def audit_object_words(event) -> str:
    """The event's object in words: its kind and id, the bare id for an unknown kind, or "it"."""
    phrase = OBJECT_PHRASES.get(event.object_type)
    if phrase is not None and event.object_id:
        return str(phrase) % {"id": event.object_id}
    return event.object_id or pgettext("audit object", "it")


def audit_event_sentence(event, *, actor_name: str = "", customer_name: str = "") -> str:
    """One sentence for the event, in the active language: who did what to which object, and for
    which customer. ``actor_name``: the actor's full name where known (else the user name the
    event recorded); an event without an actor was the system's."""
    words = {
        "actor": actor_name or event.actor_name or gettext("The system"),
        "object": audit_object_words(event),
        "customer": customer_name,
    }
    sentence = ACTION_SENTENCES.get(event.action)
    if sentence is None:
        words["action"] = event.action.replace("_", " ").replace(".", ": ", 1)
        if customer_name:
            return gettext("%(actor)s recorded %(action)s for %(customer)s") % words
        return gettext("%(actor)s recorded %(action)s") % words
    if customer_name and sentence.for_customer is not None:
        return str(sentence.for_customer) % words
    return str(sentence.alone) % words
