"""``/v1`` hand-offs: create, list and read, accept, decline, notes; isolation between partners;
the Partner Center error shape; the extension label in the OpenAPI document."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.models import ApiToken
from servicerequests.handoffs.models import HandoffStatus, ServiceRequestHandoff

from .conftest import World

BODY = {
    "issueType": "billing",
    "title": "Invoice charges the plan twice",
    "description": "The March invoice charges the Azure plan twice.",
    "severity": "moderate",
    "primaryContact": {"firstName": "Paula", "lastName": "P", "email": "paula@proseware.example"},
}


@pytest.fixture(autouse=True)
def api_settings(settings):
    settings.API_THROTTLE_USER_RATE = "10000/min"
    settings.API_THROTTLE_PARTNER_RATE = "10000/min"


def api_as(user) -> APIClient:
    _, token = ApiToken.objects.create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _create(w: World, client=None):
    client = client or api_as(w.extra["paula"])
    return client.post(
        f"/v1/customers/{w.customer.pk}/servicerequests/handoffs",
        {**BODY, "subscriptionId": str(w.azure.pk)},
        format="json",
    )


def test_a_reseller_creates_and_the_provider_accepts(handoff_world, django_capture_on_commit_callbacks):
    w = handoff_world
    response = _create(w)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["providerName"] == "Contoso Partners"
    assert body["attributes"] == {"objectType": "ServiceRequestHandoff"}
    assert response["Location"].endswith(f"/v1/servicerequests/handoffs/{body['id']}")
    provider = api_as(w.alice)
    listed = provider.get(
        "/v1/servicerequests/handoffs", {"direction": "received", "status": "pending"}
    ).json()
    assert [h["id"] for h in listed["items"]] == [body["id"]]
    with django_capture_on_commit_callbacks(execute=True):  # the dispatch to the portal, after commit
        accepted = provider.post(f"/v1/servicerequests/handoffs/{body['id']}/accept", {}, format="json")
    assert accepted.status_code == 200, accepted.content
    filed = accepted.json()
    assert filed["status"] == "accepted" and len(filed["serviceRequestId"]) == 15
    assert filed["serviceRequestStatus"] == "none"  # filed; the portal takes it after commit
    # the reseller reads the link and the status, not the provider's request itself
    reseller = api_as(w.extra["paula"])
    again = reseller.get(f"/v1/servicerequests/handoffs/{body['id']}").json()
    assert again["serviceRequestId"] == filed["serviceRequestId"] and again["serviceRequestStatus"] == "open"
    assert reseller.get(f"/v1/servicerequests/{filed['serviceRequestId']}").status_code == 404


def test_decline_needs_a_reason_and_the_reseller_reads_it(handoff_world):
    w = handoff_world
    handoff_id = _create(w).json()["id"]
    manager = api_as(w.extra["maria"])
    bad = manager.post(f"/v1/servicerequests/handoffs/{handoff_id}/decline", {"reason": ""}, format="json")
    assert bad.status_code == 400
    assert bad.json()["code"] and "reason" in bad.content.decode()
    declined = manager.post(
        f"/v1/servicerequests/handoffs/{handoff_id}/decline",
        {"reason": "Credits are automatic."},
        format="json",
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    seen = api_as(w.extra["paula"]).get(f"/v1/servicerequests/handoffs/{handoff_id}").json()
    assert seen["declineReason"] == "Credits are automatic."
    # the reseller may not decline, nor the provider accept what was declined
    assert (
        api_as(w.extra["paula"])
        .post(f"/v1/servicerequests/handoffs/{handoff_id}/decline", {"reason": "x"}, format="json")
        .status_code
        == 403
    )
    assert (
        api_as(w.alice)
        .post(f"/v1/servicerequests/handoffs/{handoff_id}/accept", {}, format="json")
        .status_code
        == 400
    )


def test_another_partner_sees_nothing_and_changes_nothing(handoff_world):
    w = handoff_world
    handoff_id = _create(w).json()["id"]
    outsider = api_as(w.extra["lena"])
    assert outsider.get("/v1/servicerequests/handoffs").json()["totalCount"] == 0
    assert outsider.get(f"/v1/servicerequests/handoffs/{handoff_id}").status_code == 404
    for action, body in (("accept", {}), ("decline", {"reason": "x"}), ("notes", {"text": "x"})):
        response = outsider.post(f"/v1/servicerequests/handoffs/{handoff_id}/{action}", body, format="json")
        assert response.status_code == 404, action
    assert ServiceRequestHandoff.objects.get().status == HandoffStatus.PENDING
    assert not ServiceRequestHandoff.objects.get().notes.exists()


def test_notes_from_both_sides(handoff_world):
    w = handoff_world
    handoff_id = _create(w).json()["id"]
    api_as(w.extra["paula"]).post(
        f"/v1/servicerequests/handoffs/{handoff_id}/notes", {"text": "Monday."}, format="json"
    )
    response = api_as(w.extra["maria"]).post(
        f"/v1/servicerequests/handoffs/{handoff_id}/notes", {"text": "On it."}, format="json"
    )
    assert response.status_code == 201
    assert [n["text"] for n in response.json()["notes"]] == ["Monday.", "On it."]


def test_the_provider_cannot_hand_off_to_itself_and_bad_input_is_named(handoff_world):
    w = handoff_world
    refused = _create(w, client=api_as(w.alice))
    assert refused.status_code == 403
    assert "SR-AZURE-NONTECH-PROVIDER-ONLY" in refused.content.decode()
    bad = api_as(w.extra["paula"]).post(
        f"/v1/customers/{w.customer.pk}/servicerequests/handoffs",
        {**BODY, "subscriptionId": str(w.azure.pk), "issueType": "technical", "severity": "urgent"},
        format="json",
    )
    assert bad.status_code == 400
    fields = {d["field"] for d in bad.json()["data"]}
    assert {"issueType", "severity"} <= fields
    assert not ServiceRequestHandoff.objects.exists()
    assert api_as(w.extra["paula"]).get("/v1/servicerequests/handoffs", {"status": "open"}).status_code == 400


def test_the_openapi_document_labels_every_handoff_operation_an_extension(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    handoff_ops = [
        op
        for path, item in schema["paths"].items()
        if "handoffs" in path
        for method, op in item.items()
        if method in ("get", "post")
    ]
    assert len(handoff_ops) == 6
    assert all(op.get("x-extension") is True for op in handoff_ops)
