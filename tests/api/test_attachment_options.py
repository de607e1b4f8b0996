"""OPTIONS on the attachments collection describes the upload (DRF's metadata), never a 500."""

import pytest

from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def test_options_on_the_attachments_of_a_request(world):
    api = client_for(world.admin)
    response = api.options("/v1/servicerequests/000000000000000/attachments")
    assert response.status_code == 200, response.content
    assert "file" in response.json()["actions"]["POST"]
