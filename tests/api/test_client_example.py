"""examples/client.py runs green against a live server (the worked example of docs/api.md)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import make_partner_world, token_for

CLIENT = Path(settings.BASE_DIR) / "examples" / "client.py"


@pytest.mark.django_db(transaction=True)
def test_client_example_runs_the_whole_flow(live_server):
    # Test settings run Celery tasks in-process, so the dispatch happens on commit of the filing.
    world = make_partner_world("Live")
    token = token_for(world.admin)
    env = {**os.environ, "PC_API_BASE_URL": live_server.url, "PC_API_TOKEN": token}
    result = subprocess.run(
        [sys.executable, str(CLIENT), "--wait", "20"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: every step succeeded" in result.stdout
    assert "[8] PATCH status closed" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_client_example_fails_with_a_bad_token(live_server):
    env = {**os.environ, "PC_API_BASE_URL": live_server.url, "PC_API_TOKEN": "pcs_not-a-token"}
    result = subprocess.run(
        [sys.executable, str(CLIENT)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "expected 200, got 401" in result.stderr
