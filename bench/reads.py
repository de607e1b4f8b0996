"""Reads at scale: the pages and the list API a busy partner uses most, p50/p95 and queries each.

The reader is the support manager of the partner ``bench/seed.py`` makes the largest ("Bench
Partner 00": 15% of all requests). Browser pages are read with a session cookie made here for
that user (the same session row a sign-in creates), the list API with a Bearer token. Request and
customer pages rotate over a sample of the partner's requests and customers, so that no single
row stays hot in a cache. Queries per request come from the ``X-Bench-Queries`` header that
``partnercenter.settings.bench`` adds to every response.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from bench.loadgen import Call, run_load, run_sequential

SAMPLE_SIZE = 500
#: The page size of the list API at depth (the issue's ``size=50``).
LIST_PAGE = 50
#: The list API's depths the bench reads (None: the deepest page).
LIST_DEPTHS: tuple[tuple[str, int | None], ...] = (
    ("offset 0", 0),
    ("offset 10,000", 10_000),
    ("offset 100,000", 100_000),
    ("deepest page", None),
)


@dataclass(frozen=True)
class ReadContext:
    """Credentials of the reader and the rows to rotate over."""

    cookie: str
    token: str
    request_ids: list[str]
    customer_ids: list[str]
    list_total: int = 0
    deep_token: str = ""

    def offset(self, wanted: int | None) -> int:
        """``wanted`` within the partner's list (the deepest page's offset for None or beyond it)."""
        deepest = max(0, self.list_total - LIST_PAGE)
        return deepest if wanted is None else min(wanted, deepest)


@dataclass(frozen=True)
class ReadScenario:
    """One read: its name, how it authenticates (``session`` or ``token``), its path for call ``i``,
    and its p95 target in ms (None: no target)."""

    name: str
    auth: str
    path: Callable[[ReadContext, int], str]
    p95_target_ms: float | None = None
    headers: Callable[[ReadContext], dict[str, str]] | None = None


#: The reads, as data. Targets are the issue's (at 1,000,000 requests).
READ_SCENARIOS: tuple[ReadScenario, ...] = (
    ReadScenario("queue page", "session", lambda ctx, i: "/queues/unassigned/", 20.0),
    ReadScenario(
        "list API, filtered",
        "token",
        lambda ctx, i: "/v1/servicerequests?status=open&severity=critical&size=50",
        15.0,
    ),
    *(
        ReadScenario(
            f"list API, {label}",
            "token",
            lambda ctx, i, depth=depth: f"/v1/servicerequests?size={LIST_PAGE}&offset={ctx.offset(depth)}",
            15.0 if label == "offset 0" else 40.0,
        )
        for label, depth in LIST_DEPTHS
    ),
    ReadScenario(
        "list API, continuation at the deepest page",
        "token",
        lambda ctx, i: f"/v1/servicerequests?size={LIST_PAGE}&seekOperation=Next",
        40.0,
        headers=lambda ctx: {"MS-ContinuationToken": ctx.deep_token},
    ),
    ReadScenario("reports page", "session", lambda ctx, i: "/queues/reports/"),
    ReadScenario(
        "request page",
        "session",
        lambda ctx, i: f"/service-requests/{ctx.request_ids[i % len(ctx.request_ids)]}/",
    ),
    ReadScenario(
        "customer page",
        "session",
        lambda ctx, i: f"/customers/{ctx.customer_ids[i % len(ctx.customer_ids)]}/",
    ),
)


def session_cookie_for(user) -> str:
    """A ``Cookie`` header value signing ``user`` in: the session a successful sign-in would store."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    backend = next(
        (b for b in settings.AUTHENTICATION_BACKENDS if b.endswith("ModelBackend")),
        settings.AUTHENTICATION_BACKENDS[-1],
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def read_context(*, username: str, partner_id: str, seed: int = 3) -> ReadContext:
    """Session, token and samples of requests and customers for the reader ``username``."""
    from core.api.pagination import continuation_token
    from core.models import ApiToken
    from customers.models import CustomerPartnerRelationship
    from partners.models import User
    from servicerequests.models import ServiceRequest

    user = User.objects.get(username=username)
    _, token = ApiToken.objects.create(user=user, expiry=timedelta(hours=6), name="bench reads")
    rng = random.Random(seed)
    request_ids = list(
        ServiceRequest.objects.filter(partner_id=partner_id)
        .order_by("-created_at")
        .values_list("id", flat=True)[: SAMPLE_SIZE * 20]
    )
    customer_ids = [
        str(c)
        for c in CustomerPartnerRelationship.objects.filter(partner_id=partner_id).values_list(
            "customer_id", flat=True
        )
    ]
    listed = ServiceRequest.objects.filter(partner_id=partner_id).order_by("-created_at", "-id")
    list_total = listed.count()
    before_deepest = listed[list_total - LIST_PAGE - 1] if list_total > LIST_PAGE else None
    return ReadContext(
        list_total=list_total,
        deep_token=continuation_token(listed, before_deepest) if before_deepest is not None else "",
        cookie=session_cookie_for(user),
        token=token,
        request_ids=rng.sample(request_ids, min(SAMPLE_SIZE, len(request_ids))),
        customer_ids=rng.sample(customer_ids, min(SAMPLE_SIZE, len(customer_ids))),
    )


def read_call(scenario: ReadScenario, ctx: ReadContext, index: int) -> Call:
    """The GET of ``scenario`` number ``index``, with the reader's credentials."""
    headers = (
        {"Cookie": ctx.cookie} if scenario.auth == "session" else {"Authorization": f"Bearer {ctx.token}"}
    )
    if scenario.headers is not None:
        headers.update(scenario.headers(ctx))
    return Call("GET", scenario.path(ctx, index), headers=headers)


def load(*, concurrency: int, **kwargs):
    """One client: ``run_sequential``; more: ``run_load``."""
    if concurrency == 1:
        return run_sequential(**kwargs)
    return run_load(concurrency=concurrency, **kwargs)


def measure_reads(
    *,
    base_url: str,
    ctx: ReadContext,
    count: int,
    concurrency: int,
    max_seconds: float,
    scenarios: tuple[ReadScenario, ...] = READ_SCENARIOS,
) -> list[dict]:
    """Run each scenario (``count`` requests, ``concurrency`` clients, at most ``max_seconds``) after
    a short unmeasured warm-up; return their summaries with name and target. One client is a
    latency measurement (``loadgen.run_sequential``); more are the asyncio load generator's."""
    results = []
    for scenario in scenarios:
        load(
            base_url=base_url,
            make_call=lambda i, s=scenario: read_call(s, ctx, i + count),
            count=min(20, count),
            concurrency=concurrency,
            max_seconds=max_seconds,
        )
        result = load(
            base_url=base_url,
            make_call=lambda i, s=scenario: read_call(s, ctx, i),
            count=count,
            concurrency=concurrency,
            max_seconds=max_seconds,
        )
        results.append({"name": scenario.name, "p95_target_ms": scenario.p95_target_ms, **result.summary()})
    return results
