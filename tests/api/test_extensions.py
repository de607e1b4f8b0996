"""Every extension of the API is labelled ``x-extension: true`` in the OpenAPI document, nothing else
is, and docs/fidelity.md documents each (``core.api.extensions`` is the list)."""

import json
import re
from pathlib import Path

import pytest
import yaml

from core.api.extensions import (
    EXTENSION_FIELDS,
    EXTENSION_OPERATIONS,
    EXTENSION_PARAMETERS,
    LABEL,
    described,
)

FIDELITY = Path(__file__).resolve().parents[2] / "docs" / "fidelity.md"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def labelled(schema) -> set[tuple[str, ...]]:
    """Every place of the document that carries the label, as the list's entries spell it (a
    labelled component, or anything else, as its own kind, so that it can't match)."""
    found = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            if operation.get(LABEL):
                found.add((method, path))
            for parameter in operation.get("parameters", []):
                if parameter.get(LABEL):
                    found.add((method, path, parameter["name"]))
    for name, component in schema["components"]["schemas"].items():
        if component.get(LABEL):
            found.add(("component", name, "*"))
        for field, definition in component.get("properties", {}).items():
            if definition.get(LABEL):
                found.add((name, field))
    return found


def test_the_listed_extensions_are_labelled_and_nothing_else(schema):
    listed = EXTENSION_OPERATIONS | EXTENSION_PARAMETERS | EXTENSION_FIELDS
    found = labelled(schema)
    assert sorted(listed - found) == [], "listed in core.api.extensions but not labelled"
    assert sorted(found - listed) == [], "labelled but not listed in core.api.extensions"
    # Nowhere else either (a label nested deeper than the walk looks).
    assert json.dumps(schema).count(f'"{LABEL}"') == len(found)


@pytest.mark.parametrize(
    "entry",
    [
        ("post", "/v1/customers/{tenant_id}/servicerequests"),
        ("post", "/v1/customers/{tenant_id}/servicerequests/eligibility"),
        ("get", "/v1/servicerequests", "status"),
        ("get", "/v1/customers/{tenant_id}/serviceincidents/office", "resolved"),
        ("ServiceRequest", "slaDueDate"),
    ],
)
def test_known_extensions_are_on_the_list(entry):
    assert entry in EXTENSION_OPERATIONS | EXTENSION_PARAMETERS | EXTENSION_FIELDS


@pytest.mark.parametrize(
    "entry",
    [
        ("get", "/v1/servicerequests"),
        ("get", "/v1/customers/{tenant_id}/serviceincidents/office"),
        ("get", "/graph/v1.0/admin/serviceAnnouncement/issues"),
        ("get", "/v1/servicerequests", "filter"),
        ("get", "/v1/servicerequests", "size"),
        ("get", "/v1/customers", "filter"),
        ("get", "/v1/customers/{tenant_id}/serviceincidents/office", "filter"),
        ("ServiceRequest", "supportTopicId"),
        ("ServiceRequest", "productId"),
        ("Contact", "contactId"),
        ("ServiceIncidentDetail", "messages"),
    ],
)
def test_partner_center_and_graph_features_are_not_labelled(schema, entry):
    assert entry not in labelled(schema)


def test_docs_fidelity_documents_every_extension():
    text = FIDELITY.read_text()
    documented = set(re.findall(r"`([^`]+)`", text))
    missing = sorted(
        described(entry)
        for entry in EXTENSION_OPERATIONS | EXTENSION_PARAMETERS | EXTENSION_FIELDS
        if described(entry) not in documented
    )
    assert missing == [], "add these to docs/fidelity.md, with the reason"


def test_described_spells_each_kind():
    assert described(("post", "/v1/servicerequests")) == "POST /v1/servicerequests"
    assert described(("get", "/v1/servicerequests", "q")) == "GET /v1/servicerequests?q"
    assert described(("Customer", "cloud")) == "Customer.cloud"
