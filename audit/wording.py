"""Audit events in words, for the audit log page: "Alice Admin signed in", "Alice Admin filed
service request 443396999279963 for Fabrikam" (rules as data: one phrase per action).

The action id and the object's type and id stay on the page beside the sentence (support people
search by them); the CSV export and the API keep the raw fields.
"""

from __future__ import annotations

#: What the actor did, per action; ``{object}`` is replaced by the object in words.
ACTION_PHRASES: dict[str, str] = {
    "api_token.created": "created an API token",
    "api_token.revoked": "revoked an API token",
    "application.created": "registered the application {object}",
    "application.removed": "removed the application {object}",
    "application.secret_added": "added a secret to the application {object}",
    "application.secret_revoked": "revoked a secret of the application {object}",
    "application.token_issued": "obtained an access token",
    "auth.permission_denied": "was refused a page or an API call",
    "auth.sign_in_failed": "failed to sign in",
    "auth.signed_in": "signed in",
    "auth.signed_out": "signed out",
    "dispatch.failed": "could not deliver {object} to its portal",
    "dispatch.retried": "retried the delivery of {object}",
    "gdap.assignment.created": "assigned a security group in {object}",
    "gdap.assignment.deleting": "removed a security group's assignment in {object}",
    "gdap.assignment.update_requested": "asked to change an assignment in {object}",
    "gdap.assignment.updated": "changed an assignment in {object}",
    "gdap.relationship.activated": "saw {object} become active",
    "gdap.relationship.activating": "saw {object} being activated",
    "gdap.relationship.auto_extended": "saw {object} extended automatically",
    "gdap.relationship.expiring": "saw {object} about to expire",
    "gdap.relationship.expiry_notice": "sent the expiry notice of {object}",
    "gdap.relationship.request_expired": "saw the approval request of {object} expire",
    "gdap.relationship.role_removal_requested": "asked to remove roles from {object}",
    "gdap.relationship.roles_removed": "removed roles from {object}",
    "gdap.relationship.terminating": "saw {object} being terminated",
    "gdap.relationship.approved": "approved {object}",
    "gdap.relationship.created": "created {object}",
    "gdap.relationship.deleted": "deleted {object}",
    "gdap.relationship.expired": "saw {object} expire",
    "gdap.relationship.locked_for_approval": "sent {object} for approval",
    "gdap.relationship.rejected": "rejected {object}",
    "gdap.relationship.reseller_approved": "approved {object} as the reseller",
    "gdap.relationship.reseller_rejected": "rejected {object} as the reseller",
    "gdap.relationship.terminated": "terminated {object}",
    "gdap.relationship.termination_requested": "asked to terminate {object}",
    "gdap.relationship.updated": "changed {object}",
    "gdap.role_template.created": "saved a role template",
    "portal.ticket_created": "opened a portal ticket for {object}",
    "portal.ticket_updated": "updated the portal ticket of {object}",
    "scenario.loaded": "loaded a scenario",
    "scenario.reset": "reset the scenario data",
    "servicerequest.attachment_added": "attached a file to {object}",
    "servicerequest.attachment_deleted": "removed a file from {object}",
    "servicerequest.attachment_downloaded": "downloaded a file of {object}",
    "servicerequest.attachments_purged": "purged the files of {object}",
    "servicerequest.dispatched": "delivered {object} to its portal",
    "servicerequest.filed": "filed {object}",
    "servicerequest.filing_denied": "was refused filing a request",
    "servicerequest.handoff_accepted": "filed a reseller's hand-off as {object}",
    "servicerequest.handoff_created": "handed off a request to the provider",
    "servicerequest.handoff_declined": "declined a reseller's hand-off",
    "servicerequest.handoff_note_added": "added a note to a hand-off",
    "servicerequest.note_added": "added a note to {object}",
    "servicerequest.portal_updated": "saw {object} change in its portal",
    "servicerequest.sla_breached": "saw {object} miss its response target",
    "servicerequest.updated": "changed {object}",
    "webhook.delivered": "delivered a webhook event",
    "webhook.delivery_failed": "could not deliver a webhook event",
    "webhook.redelivered": "redelivered a webhook event",
    "webhook.registration_created": "registered the webhook endpoint",
    "webhook.registration_deleted": "removed the webhook endpoint",
    "webhook.test_requested": "sent a test webhook event",
}

#: The object types of the events, in words.
OBJECT_NOUNS: dict[str, str] = {
    "servicerequests.ServiceRequest": "service request",
    "gdap.Relationship": "GDAP relationship",
    "gdap.AccessAssignment": "access assignment",
    "partners.User": "user",
    "partnercenter.ApiToken": "API token",
    "apiaccess.AppRegistration": "application",
}


def audit_event_sentence(event, *, actor_name: str = "", customer_name: str = "") -> str:
    """One sentence for the event: who did what to which object, and for which customer.
    ``actor_name``: the actor's full name where known (else the user name the event recorded)."""
    actor = actor_name or event.actor_name or "The system"
    phrase = ACTION_PHRASES.get(event.action)
    if phrase is None:
        phrase = "recorded " + event.action.replace("_", " ").replace(".", ": ", 1)
    noun = OBJECT_NOUNS.get(event.object_type, "")
    thing = f"{noun} {event.object_id}".strip() if noun else (event.object_id or "it")
    sentence = f"{actor} {phrase.format(object=thing)}"
    if customer_name:
        sentence += f" for {customer_name}"
    return sentence
