#!/usr/bin/env python3
"""Walk the /v1 API from a token to a closed service request, the way docs/api.md describes.

Usage:
    python examples/client.py --base-url http://127.0.0.1:8000 --token pcs_...   [--customer TENANT_ID]
    PC_API_BASE_URL=... PC_API_TOKEN=... python examples/client.py
    python examples/client.py --client-id ID --client-secret SECRET   (an app registration)
    PC_API_CLIENT_ID=... PC_API_CLIENT_SECRET=... python examples/client.py

With a personal token (pcs_…) the script acts as you. With an app registration's client id and
secret it first gets an app-only token (OAuth 2 client credentials, POST /oauth2/token, scopes
customers.read servicerequests.read servicerequests.write) and acts as the app; the token lasts an
hour, and the script asks for a new one when it has less than a minute left.

Steps: list customers, read support options and support topics, dry-run eligibility, file an M365
request (and retry it with the same MS-RequestId: same request, nothing new), wait until it is
dispatched (status "open"), add a note and close it with If-Match, and show that a stale ETag is
refused with 412. Exits 0 when every step succeeds, 1 at the first one that fails.
Needs only `requests`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid

import requests


class StepFailed(Exception):
    pass


APP_SCOPES = "customers.read servicerequests.read servicerequests.write"


def app_token(base_url: str, client_id: str, client_secret: str, timeout: float = 15) -> tuple[str, float]:
    """(access token, seconds it lasts) of the app registration, by the client-credentials grant."""
    response = requests.post(
        f"{base_url.rstrip('/')}/oauth2/token",
        data={"grant_type": "client_credentials", "scope": APP_SCOPES},
        auth=(client_id, client_secret),  # HTTP Basic, as OAuth 2 prefers
        timeout=timeout,
    )
    if response.status_code != 200:
        raise StepFailed(
            f"POST /oauth2/token: expected 200, got {response.status_code}: {response.text[:300]}"
        )
    body = response.json()
    return body["access_token"], float(body["expires_in"])


class Client:
    def __init__(self, base_url: str, token: str = "", timeout: float = 15, credentials=None):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json"})
        self.timeout = timeout
        self.credentials = credentials  # (client id, client secret) of an app, or None
        self.token = token
        self.expires_at = 0.0 if credentials else float("inf")  # an app gets its first token at once

    def authorization(self) -> str:
        if self.credentials and time.monotonic() > self.expires_at - 60:
            self.token, lifetime = app_token(self.base_url, *self.credentials, timeout=self.timeout)
            self.expires_at = time.monotonic() + lifetime
        return f"Bearer {self.token}"

    def call(self, method: str, path: str, expect: int, **kwargs) -> requests.Response:
        headers = {
            "Authorization": self.authorization(),
            "MS-CorrelationId": str(uuid.uuid4()),
            **kwargs.pop("headers", {}),
        }
        response = self.session.request(
            method, f"{self.base_url}{path}", headers=headers, timeout=self.timeout, **kwargs
        )
        if response.status_code != expect:
            raise StepFailed(
                f"{method} {path}: expected {expect}, got {response.status_code}: {response.text[:500]}"
            )
        if response.headers.get("MS-CorrelationId") != headers["MS-CorrelationId"]:
            raise StepFailed(f"{method} {path}: MS-CorrelationId was not echoed")
        return response


def step(number: int, text: str) -> None:
    print(f"[{number}] {text}", flush=True)


def pick_customer(client: Client, wanted: str | None) -> dict:
    customers = client.call("GET", "/v1/customers", 200, params={"size": 100}).json()
    print(f"    {customers['totalCount']} customers in the first page")
    for customer in customers["items"]:
        if wanted and customer["id"] != wanted:
            continue
        if not customer["allowDelegatedAccess"]:
            continue
        decision = client.call(
            "POST",
            f"/v1/customers/{customer['id']}/servicerequests/eligibility",
            200,
            json={"workload": "m365", "severity": "moderate"},
        ).json()
        if decision["allowed"]:
            return customer
        failed = [o["ruleId"] for o in decision["outcomes"] if o["outcome"] == "failed"]
        print(f"    {customer['companyProfile']['companyName']}: not eligible ({', '.join(failed)})")
    raise StepFailed("no customer where this user may file a Microsoft 365 request")


def run(client: Client, customer_id: str | None, wait: float) -> str:
    step(1, "GET /v1/customers and dry-run eligibility until a customer allows an M365 request")
    customer = pick_customer(client, customer_id)
    tenant = customer["id"]
    print(f"    customer: {customer['companyProfile']['companyName']} ({tenant})")

    step(2, "GET support options and the M365 support topics")
    options = client.call("GET", f"/v1/customers/{tenant}/supportoptions", 200).json()
    print(f"    canOpenWithMicrosoft={options['canOpenWithMicrosoft']} ruleIds={options['ruleIds']}")
    topics = client.call("GET", "/v1/servicerequests/supporttopics", 200, params={"workload": "m365"}).json()
    if not topics["items"]:
        raise StepFailed("no Microsoft 365 support topic")
    topic = topics["items"][0]

    step(3, "POST the service request with an MS-RequestId")
    request_id = str(uuid.uuid4())
    body = {
        "title": "Mail stuck in the outbox",
        "description": "Since this morning mail to external recipients stays in the outbox.",
        "severity": "moderate",
        "workload": "m365",
        "supportTopicId": topic["id"],
    }
    created = client.call(
        "POST",
        f"/v1/customers/{tenant}/servicerequests",
        201,
        json=body,
        headers={"MS-RequestId": request_id},
    )
    sr = created.json()
    location = created.headers["Location"]
    print(f"    created {sr['id']} status={sr['status']} Location={location}")
    print(
        f"    product {sr['productId']} ({sr['productName']}), topic {sr['supportTopicId']} "
        f"({sr['supportTopicName']}), contact {sr['primaryContact']['contactId']}"
    )

    step(4, "Retry with the same MS-RequestId: the same request comes back, nothing new is filed")
    retried = client.call(
        "POST",
        f"/v1/customers/{tenant}/servicerequests",
        201,
        json=body,
        headers={"MS-RequestId": request_id},
    )
    if retried.json()["id"] != sr["id"] or retried.headers["Location"] != location:
        raise StepFailed("the retry filed a second request")

    step(5, f"GET the request until it is dispatched to its portal (status open, up to {wait:.0f} s)")
    path = f"/v1/customers/{tenant}/servicerequests/{sr['id']}"
    deadline = time.monotonic() + wait
    while True:
        current = client.call("GET", path, 200)
        sr = current.json()
        if sr["status"] == "open":
            break
        if time.monotonic() > deadline:
            raise StepFailed(f"still {sr['status']!r} after {wait} s: is a Celery worker running?")
        time.sleep(0.5)
    etag = current.headers["ETag"]
    portal = sr["links"].get("portal", {}).get("uri")
    print(f"    status=open ticket={sr['externalTicketId']} portal={portal} ETag={etag}")

    step(6, "PATCH a note with If-Match")
    noted = client.call(
        "PATCH",
        path,
        200,
        json={"newNote": {"text": "Customer confirms it happens for every user."}},
        headers={"If-Match": etag},
    )
    stale_etag, etag = etag, noted.headers["ETag"]

    step(7, "PATCH with the stale ETag: refused with 412, nothing changes")
    refused = client.call("PATCH", path, 412, json={"status": "closed"}, headers={"If-Match": stale_etag})
    print(f"    {refused.json()['description']}")

    step(8, "PATCH status closed with the current ETag")
    closed = client.call(
        "PATCH",
        path,
        200,
        json={"status": "closed", "newNote": {"text": "Fixed."}},
        headers={"If-Match": etag},
    ).json()
    if closed["status"] != "closed" or len(closed["notes"]) != 2:
        raise StepFailed(f"unexpected request after closing: {json.dumps(closed)[:500]}")
    print(f"    {closed['id']} closed at {closed['lastClosedDate']} with {len(closed['notes'])} notes")
    return closed["id"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", default=os.environ.get("PC_API_BASE_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--token", default=os.environ.get("PC_API_TOKEN", ""))
    parser.add_argument(
        "--client-id", default=os.environ.get("PC_API_CLIENT_ID", ""), help="app registration"
    )
    parser.add_argument("--client-secret", default=os.environ.get("PC_API_CLIENT_SECRET", ""))
    parser.add_argument("--customer", default=os.environ.get("PC_API_CUSTOMER"), help="tenant id to use")
    parser.add_argument("--wait", type=float, default=30.0, help="seconds to wait for dispatch")
    args = parser.parse_args(argv)
    credentials = (args.client_id, args.client_secret) if args.client_id else None
    if not args.token and not credentials:
        parser.error(
            "a token is needed: --token or PC_API_TOKEN (manage.py create_api_token <username>), "
            "or an app's --client-id and --client-secret (settings → Applications)"
        )
    try:
        run(Client(args.base_url, args.token, credentials=credentials), args.customer, args.wait)
    except (StepFailed, requests.RequestException, KeyError, ValueError) as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    print("OK: every step succeeded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
