"""API tokens: the API access page, the create_api_token command, the token services."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apiaccess.services import api_token_create, parse_expires_in
from audit.models import AuditEvent
from core.models import ApiToken

from .conftest import token_for


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30d", timedelta(days=30)),
        ("12h", timedelta(hours=12)),
        ("90m", timedelta(minutes=90)),
        ("never", None),
    ],
)
def test_parse_expires_in(value, expected):
    assert parse_expires_in(value) == expected


@pytest.mark.parametrize("value", ["", "0d", "3w", "d30", "-1d"])
def test_parse_expires_in_refuses(value):
    with pytest.raises(ValueError, match="is not a duration"):
        parse_expires_in(value)


@pytest.mark.django_db
class TestCommand:
    def test_prints_a_working_token(self, world):
        out = StringIO()
        call_command("create_api_token", world.admin.username, "--expires-in", "2h", stdout=out)
        token = out.getvalue().strip()
        row = ApiToken.objects.get(user=world.admin)
        assert row.name == "command line"
        assert timedelta(hours=1, minutes=59) < row.expiry - timezone.now() <= timedelta(hours=2)
        response = APIClient().get("/v1/customers", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200
        assert AuditEvent.objects.filter(action="api_token.created", actor_id=world.admin.pk).count() == 1

    def test_never_expires(self, world):
        call_command("create_api_token", world.admin.username, "--expires-in", "never", stdout=StringIO())
        assert ApiToken.objects.get(user=world.admin).expiry is None

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["ghost"], "No user 'ghost'."),
            (["{user}", "--expires-in", "soon"], "--expires-in: 'soon' is not a duration"),
        ],
    )
    def test_errors(self, world, args, message):
        args = [a.format(user=world.admin.username) for a in args]
        with pytest.raises(CommandError, match=message):
            call_command("create_api_token", *args, stdout=StringIO())
        assert ApiToken.objects.count() == 0


@pytest.mark.django_db
class TestApiAccessPage:
    url = reverse("api_access")

    def test_needs_sign_in(self, client):
        response = client.get(self.url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_create_shows_the_token_once(self, client, world):
        client.force_login(world.admin)
        response = client.post(self.url, {"action": "create", "name": "sync script", "expires_in": "7d"})
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        token = response.context["new_token"]
        row = ApiToken.objects.get(user=world.admin)
        assert token.startswith(row.token_key)
        assert f'value="{token}"' in response.content.decode()
        assert row.name == "sync script"
        assert timedelta(days=6, hours=23) < row.expiry - timezone.now() <= timedelta(days=7)
        listing = client.get(self.url).content.decode()
        assert token not in listing
        assert f"{row.token_key}…" in listing
        assert "sync script" in listing
        assert APIClient().get("/v1/customers", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200

    def test_create_refuses_a_blank_name(self, client, world):
        client.force_login(world.admin)
        response = client.post(self.url, {"action": "create", "name": " ", "expires_in": "7d"})
        assert response.status_code == 400
        assert response.context["create_form"].errors == {"name": ["This field is required."]}
        assert ApiToken.objects.count() == 0

    def test_revoke(self, client, world):
        token = token_for(world.admin)
        row = ApiToken.objects.get(user=world.admin)
        client.force_login(world.admin)
        response = client.post(self.url, {"action": "revoke", "token_key": row.token_key}, follow=True)
        assert "Token revoked" in response.content.decode()
        assert ApiToken.objects.count() == 0
        assert APIClient().get("/v1/customers", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
        assert AuditEvent.objects.filter(action="api_token.revoked", object_id=row.token_key).count() == 1

    def test_cannot_revoke_someone_elses_token(self, client, world):
        from tests.factories import UserFactory

        other = UserFactory(partner=world.partner)
        token_for(other)
        row = ApiToken.objects.get(user=other)
        client.force_login(world.admin)
        response = client.post(self.url, {"action": "revoke", "token_key": row.token_key}, follow=True)
        assert "No such token." in response.content.decode()
        assert ApiToken.objects.filter(user=other).count() == 1

    def test_lists_only_own_tokens_with_expiry(self, client, world):
        api_token_create(actor=world.admin, name="mine", expires_in=None)
        from tests.factories import UserFactory

        api_token_create(actor=UserFactory(partner=world.partner), name="theirs", expires_in=None)
        client.force_login(world.admin)
        page = client.get(self.url).content.decode()
        assert "mine" in page and "theirs" not in page
        assert "never" in page


@pytest.mark.django_db
def test_a_token_is_looked_up_by_its_key_without_sorting(world):
    """Every API request authenticates with one lookup by ``token_key``: no ORDER BY to plan or run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import client_for

    client = client_for(world.admin)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/v1/servicerequests").status_code == 200
    lookups = [q["sql"] for q in queries.captured_queries if "token_key" in q["sql"]]
    assert len(lookups) == 1
    assert "ORDER BY" not in lookups[0].upper()
