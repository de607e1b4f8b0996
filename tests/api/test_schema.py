"""The OpenAPI document and the Swagger UI, served locally."""

import pytest
import yaml
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema


@pytest.mark.django_db
def test_schema_describes_every_v1_endpoint_with_examples_and_errors(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = schema["paths"]
    expected = {
        "/v1/customers": {"get"},
        "/v1/customers/{tenant_id}": {"get"},
        "/v1/customers/{tenant_id}/subscriptions": {"get"},
        "/v1/customers/{tenant_id}/subscriptions/{subscription_id}": {"get"},
        "/v1/customers/{tenant_id}/supportoptions": {"get"},
        "/v1/customers/{tenant_id}/managedservices": {"get"},
        "/v1/customers/{tenant_id}/serviceincidents/office": {"get"},
        "/v1/servicerequests/supporttopics": {"get"},
        "/v1/customers/{tenant_id}/servicerequests/eligibility": {"post"},
        "/v1/customers/{tenant_id}/servicerequests": {"get", "post"},
        "/v1/servicerequests": {"get", "post"},
        "/v1/servicerequests/{request_id}": {"get", "patch"},
        "/v1/customers/{tenant_id}/servicerequests/{request_id}": {"get", "patch"},
    }
    for url, methods in expected.items():
        assert url in paths, url
        for method in methods:
            operation = paths[url][method]
            responses = operation["responses"]
            assert {"401", "429", "500"} <= set(responses), (url, method)
            success = next(code for code in responses if code.startswith("2"))
            assert responses[success]["content"]["application/json"].get("examples"), (url, method)
            if method in ("post", "patch"):
                assert operation["requestBody"]["content"]["application/json"].get("examples"), (url, method)
    assert "knoxApiToken" in schema["components"]["securitySchemes"]


def test_v1_schema_validates_without_warnings():
    """The /v1 part alone (CI also runs `manage.py spectacular --validate --fail-on-warn` on all of it)."""
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("v1/", include("partnercenter.api_urls"))]).get_schema(
        public=True
    )
    validate_schema(schema)
    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache)
    assert len(schema["paths"]) >= 13


@pytest.mark.django_db
def test_swagger_ui_assets_are_served_locally(client):
    page = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn.jsdelivr.net" not in page


@pytest.mark.django_db
def test_every_operation_documents_400_since_any_parameter_may_be_refused(client):
    """A NUL character in any parameter is refused with 400 before a view runs (the fuzzer's ST103)."""
    schema = yaml.safe_load(client.get("/api/schema/").content)
    undocumented = [
        (method.upper(), url)
        for url, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in {"get", "post", "patch", "put", "delete"} and "400" not in operation["responses"]
    ]
    assert undocumented == []
    response = client.get("/v1/servicerequests/supporttopics?x=%00")
    assert response.status_code == 400
