"""The ``service_health`` section: service health issues and their posts."""

from __future__ import annotations

from datetime import datetime

from customers.choices import RESOLVED_HEALTH_STATUSES

from .. import rules
from .fields import join
from .plan import HealthSpec
from .references import Checker


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def health_validate(checker: Checker, doc: dict) -> list[HealthSpec]:
    """The ``service_health`` section: issues (of a customer, or of every tenant of a cloud) with
    their posts. A customer's issue is in the customer's cloud; a global one in ``cloud``
    (commercial when absent)."""
    out = []
    seen: set[tuple[str | None, str]] = set()
    for path, raw in checker.items(doc, "", "service_health"):
        data = checker.mapping(raw, path, rules.HEALTH_KEYS)
        if data is None:
            continue
        errors_before = len(checker.errors)
        customer = checker.customer_ref(data, path, "customer", required=False)
        customer_cloud = checker.world.customer_cloud(customer) if customer is not None else None
        cloud = checker.choice(
            data, path, "cloud", rules.CUSTOMER_CLOUDS, "cloud", default=customer_cloud or "commercial"
        )
        if customer_cloud and cloud is not None and cloud != customer_cloud:
            checker.error(
                join(path, "cloud"),
                f"must be the cloud of customer {customer!r} ({customer_cloud}), got {cloud!r}",
            )
        issue_id = checker.text(data, path, "id", required=True, max_length=32)
        if issue_id is not None:
            if (customer, issue_id) in seen:
                checker.error(join(path, "id"), f"duplicate service health issue {issue_id!r}")
            seen.add((customer, issue_id))
        status = checker.choice(
            data, path, "status", rules.HEALTH_STATUSES, "service health status", required=True
        )
        start = checker.time(data, path, "start", required=True)
        end = checker.time(data, path, "end")
        if start is not None and end is not None and end < start:
            checker.error(join(path, "end"), "must not be before start")
        resolved_default = status in RESOLVED_HEALTH_STATUSES
        posts = []
        for post_path, raw_post in checker.items(data, path, "posts"):
            post = checker.mapping(raw_post, post_path, rules.HEALTH_POST_KEYS)
            if post is None:
                continue
            at = checker.time(post, post_path, "at", required=True)
            text = checker.text(post, post_path, "text", required=True, max_length=5000)
            post_type = checker.choice(
                post, post_path, "type", rules.HEALTH_POST_TYPES, "post type", default="regular"
            )
            if at is not None and text is not None and post_type is not None:
                posts.append((at, post_type, text))
        fields = {
            "service": checker.text(data, path, "service", required=True, max_length=120),
            "workload": checker.choice(data, path, "workload", rules.WORKLOADS, "workload", required=True),
            "feature": checker.text(data, path, "feature", max_length=120),
            "feature_group": checker.text(data, path, "feature_group", max_length=120),
            "classification": checker.choice(
                data,
                path,
                "classification",
                rules.HEALTH_CLASSIFICATIONS,
                "classification",
                required=True,
            ),
            "title": checker.text(data, path, "title", required=True, max_length=300),
            "impact_description": checker.text(data, path, "impact", max_length=5000),
            "is_resolved": checker.boolean(data, path, "resolved", default=resolved_default),
        }
        if len(checker.errors) > errors_before:
            continue
        posts.sort(key=lambda p: p[0])
        fields.update(
            cloud=cloud,
            status=status,
            start_at=start,
            end_at=end,
            posts=[
                {"createdDateTime": _iso(at), "postType": post_type, "description": text}
                for at, post_type, text in posts
            ],
            last_modified_at=max([start, end or start] + [p[0] for p in posts]),
        )
        out.append(HealthSpec(customer=customer, issue_id=issue_id, fields=fields))
    return out
