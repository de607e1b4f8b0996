"""docker/healthcheck.py, the container probe: the Host it sends and its exit codes."""

import importlib.util
import socket
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "docker" / "healthcheck.py"
_spec = importlib.util.spec_from_file_location("container_healthcheck", SCRIPT)
healthcheck = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(healthcheck)


@pytest.mark.parametrize(
    ("allowed_hosts", "host"),
    [
        ("portal.example.com", "portal.example.com"),
        (" portal.example.com , other.example.com", "portal.example.com"),
        (".example.com", "example.com"),
        ("*.example.com", "example.com"),
        ("*", "localhost"),
        ("", "localhost"),
        (",,", "localhost"),
    ],
)
def test_probe_host_is_one_django_accepts(allowed_hosts, host):
    assert healthcheck.probe_host(allowed_hosts) == host


def test_probe_fails_when_nothing_listens(monkeypatch):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    monkeypatch.setenv("PORT", str(port))
    monkeypatch.setattr("sys.argv", ["healthcheck.py", "/healthz"])

    assert healthcheck.main() == 1
