"""Fixtures for the private storages (``core.files``): a fresh directory per test, or a local S3
server (moto in server mode, on a free port) with a fresh bucket, so that the production backend
(django-storages' S3Storage over boto3 and HTTP) is exercised for real.

The S3 fixtures need the dev requirement ``moto[server]``; without it they skip with that reason,
except in CI, where its absence fails the test (``tests.conftest.require``).
"""

from __future__ import annotations

import socket
import uuid

import pytest

S3_KEY = "test-access-key"
S3_SECRET = "test-secret-key"
S3_REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """The endpoint URL of a moto S3 server running in this process (a thread) for the session."""
    from tests.conftest import require

    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        require(False, "this test needs moto[server] (requirements-dev.txt) for a local S3")
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def s3_client(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_KEY,
        aws_secret_access_key=S3_SECRET,
        region_name=S3_REGION,
    )


def s3_storage_entry(endpoint: str, bucket: str, prefix: str) -> dict:
    """A ``STORAGES`` entry like production's (``settings.base.private_file_storage``)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "location": prefix,
            "endpoint_url": endpoint,
            "addressing_style": "path",
            "access_key": S3_KEY,
            "secret_key": S3_SECRET,
            "region_name": S3_REGION,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 300,
            "signature_version": "s3v4",
        },
    }


def s3_keys(endpoint: str, bucket: str) -> list[str]:
    """Every key in ``bucket``."""
    listing = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


@pytest.fixture
def s3_bucket(s3_server, settings):
    """A fresh bucket; both private storages switched to it (prefixes ``attachments``/``exports``)."""
    bucket = f"portal-{uuid.uuid4().hex[:12]}"
    s3_client(s3_server).create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": s3_storage_entry(s3_server, bucket, "attachments"),
        "exports": s3_storage_entry(s3_server, bucket, "exports"),
    }
    return bucket


@pytest.fixture
def local_roots(settings, tmp_path):
    """Fresh private directories for this test (the filesystem backend)."""
    settings.ATTACHMENT_ROOT = tmp_path / "attachments"
    settings.EXPORT_ROOT = tmp_path / "exports"
    return tmp_path


@pytest.fixture(params=["filesystem", "s3"])
def storage_backend(request, settings, tmp_path):
    """Run the test on both backends. Returns a function listing every stored file name."""
    settings.ATTACHMENT_ROOT = tmp_path / "attachments"
    settings.EXPORT_ROOT = tmp_path / "exports"
    if request.param == "filesystem":

        def stored() -> list[str]:
            roots = (tmp_path / "attachments", tmp_path / "exports")
            return sorted(
                str(p.relative_to(tmp_path)) for root in roots for p in root.rglob("*") if p.is_file()
            )

        return stored
    endpoint = request.getfixturevalue("s3_server")
    bucket = request.getfixturevalue("s3_bucket")
    return lambda: s3_keys(endpoint, bucket)
