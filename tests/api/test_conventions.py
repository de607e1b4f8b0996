"""Cross-cutting /v1 conventions: auth, error shape, headers, casing, throttling."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from core import tasks
from core.api.casing import camelize_keys
from core.models import ApiToken
from partners.choices import PartnerCenterRole
from tests.factories import UserFactory

from .conftest import client_for, token_for

SOURCE = "PartnerCenterSimulator"


def assert_error(response, status: int, code: int):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"code", "description", "data", "source"}
    assert body["code"] == code
    assert body["source"] == SOURCE
    assert body["description"]
    return body


@pytest.mark.django_db
class TestAuthentication:
    def test_missing_token_is_401_in_the_error_shape(self, world):
        response = APIClient().get("/v1/customers")
        body = assert_error(response, 401, 800001)
        assert body["description"] == "Authentication credentials were not provided."
        assert response["WWW-Authenticate"] == "Bearer"

    @pytest.mark.parametrize("header", ["Bearer pcs_0123456789abcdef", "Bearer", "Bearer a b"])
    def test_invalid_token_is_401(self, world, header):
        response = APIClient().get("/v1/customers", HTTP_AUTHORIZATION=header)
        assert_error(response, 401, 400)

    def test_expired_token_is_401_and_left_to_the_purge(self, world, django_assert_num_queries):
        token = token_for(world.admin, expiry=timedelta(seconds=-1))
        live = token_for(world.admin)
        with django_assert_num_queries(1):  # the token and its user: no sweep of the user's other tokens
            response = APIClient().get("/v1/customers", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert_error(response, 401, 400)
        assert ApiToken.objects.filter(user=world.admin).count() == 2
        assert APIClient().get("/v1/customers", HTTP_AUTHORIZATION=f"Bearer {live}").status_code == 200
        assert tasks.purge_expired.delay().get() == {
            "api_tokens": 1,
            "app_tokens": 0,
            "idempotency_records": 0,
        }
        assert ApiToken.objects.filter(user=world.admin).count() == 1

    def test_revoked_token_is_401(self, world):
        token = token_for(world.admin)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert client.get("/v1/customers").status_code == 200
        ApiToken.objects.filter(user=world.admin).delete()
        assert_error(client.get("/v1/customers"), 401, 400)

    def test_token_is_stored_hashed(self, world):
        token = token_for(world.admin)
        row = ApiToken.objects.get(user=world.admin)
        assert token.startswith("pcs_")
        assert row.token_key == token[:15]
        assert token not in row.digest and len(row.digest) == 128

    def test_session_authentication_works_for_the_browser(self, world, client):
        client.force_login(world.admin)
        assert client.get("/v1/customers").status_code == 200


@pytest.mark.django_db
class TestErrorShape:
    def test_unknown_path_is_404(self, api):
        body = assert_error(api.get("/v1/nothing/here"), 404, 1000)
        assert body["description"] == "No resource at /v1/nothing/here."

    def test_unknown_path_is_404_without_token_too(self, world):
        assert_error(APIClient().post("/v1/nothing"), 404, 1000)

    def test_method_not_allowed_is_405(self, api):
        assert_error(api.delete("/v1/customers"), 405, 900141)

    def test_malformed_json_is_400(self, api, world):
        response = api.post(
            f"/v1/customers/{world.customer.id}/servicerequests", "{not json", content_type="application/json"
        )
        assert_error(response, 400, 800002)

    def test_unexpected_error_is_500_with_correlation_id_and_no_stack_trace(self, api, monkeypatch):
        def boom(**kwargs):
            raise RuntimeError("secret internals")

        monkeypatch.setattr("customers.selectors.customer_list", boom)
        correlation_id = str(uuid.uuid4())
        response = api.get("/v1/customers", HTTP_MS_CORRELATIONID=correlation_id)
        body = assert_error(response, 500, 800003)
        assert body["data"] == [{"correlationId": correlation_id}]
        assert correlation_id in body["description"]
        assert "secret internals" not in response.content.decode()
        assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
class TestHeaders:
    def test_correlation_and_request_ids_are_echoed(self, api):
        correlation_id, request_id = str(uuid.uuid4()), str(uuid.uuid4())
        response = api.get(
            "/v1/customers", HTTP_MS_CORRELATIONID=correlation_id, HTTP_MS_REQUESTID=request_id
        )
        assert response["MS-CorrelationId"] == correlation_id
        assert response["MS-RequestId"] == request_id

    def test_ids_are_generated_when_absent(self, api):
        response = api.get("/v1/customers")
        assert uuid.UUID(response["MS-CorrelationId"])
        assert uuid.UUID(response["MS-RequestId"])
        assert response["MS-CorrelationId"] != response["MS-RequestId"]

    def test_errors_carry_the_ids_too(self, world):
        response = APIClient().get(
            "/v1/customers", HTTP_MS_CORRELATIONID="6f1c2a4e-8b9d-4e0f-a1b2-c3d4e5f60718"
        )
        assert response.status_code == 401
        assert response["MS-CorrelationId"] == "6f1c2a4e-8b9d-4e0f-a1b2-c3d4e5f60718"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            {"Title": "x", "PrimaryContact": {"FirstName": "A"}},
            {"title": "x", "primaryContact": {"firstName": "A"}},
        ),
        ({"title": "x", "supportTopicId": 1}, {"title": "x", "supportTopicId": 1}),
        ({"ID": 1, "Notes": [{"Text": "t"}]}, {"id": 1, "notes": [{"text": "t"}]}),
    ],
)
def test_pascal_case_input_becomes_camel_case(given, expected):
    assert camelize_keys(given) == expected


@pytest.mark.django_db
class TestThrottling:
    def test_user_rate_gives_429_with_retry_after(self, world, settings):
        settings.API_THROTTLE_RATES = {"user": "2/min", "partner": "100/min"}
        client = client_for(world.admin)
        assert [client.get("/v1/customers").status_code for _ in range(2)] == [200, 200]
        response = client.get("/v1/customers")
        assert response.status_code == 429
        seconds = int(response["Retry-After"])
        assert 1 <= seconds <= 60
        assert response.json() == {
            "statusCode": 429,
            "message": f"Rate limit is exceeded. Try again in {seconds} seconds.",
        }

    def test_partner_rate_counts_every_user_of_the_partner(self, world, settings):
        settings.API_THROTTLE_RATES = {"user": "100/min", "partner": "3/min"}
        colleague = UserFactory(partner=world.partner, roles=[PartnerCenterRole.ADMIN_AGENT])
        first, second = client_for(world.admin), client_for(colleague)
        statuses = [c.get("/v1/customers").status_code for c in (first, second, first, second)]
        assert statuses == [200, 200, 200, 429]
        stranger = client_for(world.other_partner.users.create(username="other-bob"))
        assert stranger.get("/v1/customers").status_code == 200

    def test_expired_rate_window_allows_again(self, world, settings):
        settings.API_THROTTLE_RATES = {"user": "1/min", "partner": "100/min"}
        client = client_for(world.admin)
        assert client.get("/v1/customers").status_code == 200
        assert client.get("/v1/customers").status_code == 429
        with time_machine.travel(timezone.now() + timedelta(seconds=61)):
            assert client.get("/v1/customers").status_code == 200
