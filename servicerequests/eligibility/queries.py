"""The eligibility snapshot's hot queries as SQL written once, run through ``connection.cursor()``.

Every filing and every dry run reads the user, the customer, the GDAP relationships and the user's
access assignments (``snapshot_build``: two ``UNION ALL`` statements, ``user_and_customer_rows``
and ``relationship_and_assignment_rows``). Built through the ORM, each costs more
Python (building and compiling the ``values()`` join) than the database spends answering it; here
the SQL text is made once per process from the models' ``_meta`` (table and column names), so a
query costs one ``execute`` and the conversion of its rows. On PostgreSQL the driver prepares each
text on the server once a connection has run it a few times (``DATABASES`` ``OPTIONS``).

Each function returns the rows as dicts with the keys the ORM's ``values()`` would give
(``partner__name``, ``roles__template_id``, …) and the same Python types on every backend: UUIDs
as ``uuid.UUID``, datetimes aware (UTC), JSON decoded. Parameters go through the model fields'
``get_db_prep_value``, so SQLite and PostgreSQL store and compare them alike. The SQL is portable
(joins, ``IN``, ``EXISTS``, ``UNION ALL``, ``ORDER BY``): the test suite runs it on both.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.db import connection, models

from customers.models import Customer, CustomerDomain, CustomerPartnerRelationship
from gdap.models import AccessAssignment, EntraRole, Relationship
from partners.models import GroupMembership, Partner, SecurityGroup, User, UserRole
from webhooks.models import WebhookRegistration

_NAME = re.compile(r"\{(\w+)\}|\b([a-z]{1,2})\.([a-z_]+)\b")


def _resolve(sql: str, aliases: dict[str, type[models.Model]]) -> str:
    """``sql`` with ``{Model}`` replaced by the model's table and ``alias.field`` by the alias and
    the field's column (``p.indirect_provider`` → ``p."indirect_provider_id"``), from ``_meta``."""
    quote = connection.ops.quote_name

    def name(match: re.Match) -> str:
        model_name, alias, field = match.groups()
        if model_name:
            model = next(m for m in aliases.values() if m.__name__ == model_name)
            return quote(model._meta.db_table)
        if alias not in aliases:
            return match.group(0)
        return f"{alias}.{quote(aliases[alias]._meta.get_field(field).column)}"

    return _NAME.sub(name, sql)


# --- Converters: the row's value as the ORM would give it -------------------------------------


def _uuid(value: Any) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def _datetime(value: Any) -> datetime | None:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _bool(value: Any) -> bool | None:
    # SQLite gives 0/1 where a statement's column has lost its declared type (a UNION's)
    return value if value is None else bool(value)


def _plain(value: Any) -> Any:
    return value


def _converter(model: type[models.Model], field: str) -> Callable[[Any], Any]:
    target = model._meta.get_field(field)
    if target.is_relation:
        target = target.target_field
    if isinstance(target, models.UUIDField):
        return _uuid
    if isinstance(target, models.DateTimeField):
        return _datetime
    if isinstance(target, models.JSONField):
        return _json
    if isinstance(target, models.BooleanField):
        return _bool
    return _plain


class _Select:
    """One SELECT: ``columns`` (key, ``alias.field``) from ``sql`` (the ``FROM`` on), over
    ``aliases``; the SQL is resolved once per process, per ``shape`` (the sizes of ``IN`` lists,
    written ``{in}``)."""

    def __init__(
        self,
        *,
        aliases: dict[str, type[models.Model]],
        columns: list[tuple[str, str]],
        sql: str,
        computed: Sequence[tuple[str, str, Callable[[Any], Any]]] = (),
        order: Sequence[str] = (),
    ):
        self.aliases = aliases
        self.columns = columns
        self.computed = computed  # (key, SQL expression, converter), selected after the columns
        self.text = sql
        self.order = tuple(order)  # keys of ``columns``, ascending

    def selected(self) -> list[str]:
        """The select list's expressions, unresolved, in the order of ``keys``."""
        return [column for _, column in self.columns] + [expr for _, expr, _ in self.computed]

    @cache  # noqa: B019
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.columns) + tuple(key for key, _, _ in self.computed)

    def body(self, *shape: int) -> str:
        """The ``FROM …`` on, its ``{in}`` lists sized by ``shape``, unresolved."""
        text = self.text
        for size in shape:
            text = text.replace("{in}", ", ".join(["%s"] * size), 1)
        return text

    def statement(self, selected: list[str], *shape: int, order: str = "") -> str:
        """``SELECT selected`` from this query's ``FROM`` on, then ``order``, resolved."""
        text = f"SELECT {', '.join(selected)} {self.body(*shape)} {order}"
        return _resolve(" ".join(text.split()), self.aliases)

    @cache  # noqa: B019 - one instance per query, alive for the process
    def sql(self, *shape: int) -> str:
        columns = dict(self.columns)
        order = f"ORDER BY {', '.join(columns[key] for key in self.order)}" if self.order else ""
        return self.statement(self.selected(), *shape, order=order)

    @cache  # noqa: B019
    def converters(self) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
        converters = []
        for key, column in self.columns:
            alias, field = column.split(".")
            converters.append((key, _converter(self.aliases[alias], field)))
        converters.extend((key, convert) for key, _, convert in self.computed)
        return tuple(converters)

    def row(self, values: Sequence[Any]) -> dict[str, Any]:
        """One fetched row (the values of ``keys``, in order) as a dict of converted values."""
        return {key: convert(value) for (key, convert), value in zip(self.converters(), values, strict=True)}

    def rows(self, params: Sequence[Any], *shape: int) -> list[dict[str, Any]]:
        """Run the query with ``params``; its rows as dicts of converted values."""
        with connection.cursor() as cursor:
            cursor.execute(self.sql(*shape), params)
            return [self.row(values) for values in cursor.fetchall()]


def _prep(model: type[models.Model], field: str, value: Any) -> Any:
    return model._meta.get_field(field).get_db_prep_value(value, connection)


def _partner_columns(alias: str, prefix: str) -> list[tuple[str, str]]:
    fields = ("name", "type", "support_email", "support_phone", "support_url")
    return [(f"{prefix}__{field}", f"{alias}.{field}") for field in fields]


_ROLE_COLUMNS = [
    ("roles__template_id", "e.template_id"),
    ("roles__name", "e.name"),
    ("roles__support_tickets", "e.support_tickets"),
    ("roles__service_health", "e.service_health"),
]

_USER = _Select(
    aliases={
        "u": User,
        "p": Partner,
        "ip": Partner,
        "r": UserRole,
        "m": GroupMembership,
        "g": SecurityGroup,
        "w": WebhookRegistration,
    },
    columns=[
        ("id", "u.id"),
        ("username", "u.username"),
        ("email", "u.email"),
        ("phone", "u.phone"),
        ("partner_id", "u.partner"),
        ("partner__name", "p.name"),
        ("partner__type", "p.type"),
        ("partner__cloud", "p.cloud"),
        ("partner__domains", "p.domains"),
        ("partner__support_email", "p.support_email"),
        ("partner__support_phone", "p.support_phone"),
        ("partner__support_url", "p.support_url"),
        ("partner__indirect_provider_id", "p.indirect_provider"),
        *_partner_columns("ip", "partner__indirect_provider"),
        ("roles__role", "r.role"),
        ("memberships__group_id", "m.group"),
        ("memberships__group__name", "g.name"),
        ("memberships__group__partner_id", "g.partner"),
    ],
    computed=[
        # Whether filing has webhook registrations to look up (``webhooks.services.webhook_event_emit``).
        (
            "partner__has_webhook_registrations",
            "EXISTS (SELECT 1 FROM {WebhookRegistration} w WHERE w.partner = p.id)",
            bool,
        ),
    ],
    sql="""
        FROM {User} u
        LEFT JOIN {Partner} p ON p.id = u.partner
        LEFT JOIN {Partner} ip ON ip.id = p.indirect_provider
        LEFT JOIN {UserRole} r ON r.user = u.id
        LEFT JOIN {GroupMembership} m ON m.user = u.id
        LEFT JOIN {SecurityGroup} g ON g.id = m.group
        WHERE u.id = %s
    """,
)


def user_rows(*, user_pk) -> list[dict[str, Any]]:
    """The user, their partner and its indirect provider, one row per (role, group) pair; and
    whether the partner has any webhook registration (``partner__has_webhook_registrations``)."""
    return _USER.rows([_prep(User, "id", user_pk)])


_CUSTOMER = _Select(
    aliases={"c": Customer, "l": CustomerPartnerRelationship, "d": CustomerDomain, "u": User},
    columns=[
        ("id", "c.id"),
        ("name", "c.name"),
        ("cloud", "c.cloud"),
        ("country", "c.country"),
        ("default_domain", "c.default_domain"),
        ("domains__domain", "d.domain"),
    ],
    sql="""
        FROM {Customer} c
        INNER JOIN {CustomerPartnerRelationship} l ON l.customer = c.id
        LEFT JOIN {CustomerDomain} d ON d.customer = c.id
        WHERE c.id = %s AND l.partner = (SELECT u.partner FROM {User} u WHERE u.id = %s)
    """,
)


def user_and_customer_rows(*, user_pk, customer_id) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``user_rows``, and in the same statement the customer and its domains (a row per domain),
    only if it is linked to the user's partner (no row for a user without a partner)."""
    user = _prep(User, "id", user_pk)
    users, customers = _tagged_rows(
        (("u", _USER, ()), ("c", _CUSTOMER, ())),
        [user, _prep(Customer, "id", customer_id), user],
    )
    return users, customers


RelationshipRole = Relationship.roles.through
AssignmentRole = AccessAssignment.roles.through

_RELATIONSHIPS = _Select(
    aliases={"r": Relationship, "p": Partner, "rs": Partner, "rr": RelationshipRole, "e": EntraRole},
    columns=[
        ("id", "r.id"),
        ("display_name", "r.display_name"),
        ("status", "r.status"),
        ("end_at", "r.end_at"),
        ("partner_id", "r.partner"),
        ("partner__name", "p.name"),
        ("created_for_reseller_id", "r.created_for_reseller"),
        ("created_for_reseller__name", "rs.name"),
        ("partner_consent_at", "r.partner_consent_at"),
        *_ROLE_COLUMNS,
    ],
    sql="""
        FROM {Relationship} r
        INNER JOIN {Partner} p ON p.id = r.partner
        LEFT JOIN {Partner} rs ON rs.id = r.created_for_reseller
        LEFT JOIN {Relationship_roles} rr ON rr.relationship = r.id
        LEFT JOIN {EntraRole} e ON e.template_id = rr.entrarole
        WHERE (r.partner = %s OR r.created_for_reseller = %s) AND r.customer = %s
    """,
    order=["display_name", "id", "roles__name"],
)


def relationship_rows(*, partner_id, customer_id) -> list[dict[str, Any]]:
    """The GDAP relationships with the customer that the partner sees (its own and those created
    for it), a row per role, ordered by display name, id and role name."""
    return _RELATIONSHIPS.rows(_relationship_params(partner_id, customer_id))


_ASSIGNMENTS = _Select(
    aliases={
        "a": AccessAssignment,
        "r": Relationship,
        "g": SecurityGroup,
        "ar": AssignmentRole,
        "e": EntraRole,
    },
    columns=[
        ("id", "a.id"),
        ("relationship_id", "a.relationship"),
        ("security_group_id", "a.security_group"),
        ("security_group__name", "g.name"),
        ("status", "a.status"),
        *_ROLE_COLUMNS,
    ],
    # held by the partner (gdap.selectors.held_by): its own, except those it created for a
    # reseller, and those created for it.
    sql="""
        FROM {AccessAssignment} a
        INNER JOIN {Relationship} r ON r.id = a.relationship
        INNER JOIN {SecurityGroup} g ON g.id = a.security_group
        LEFT JOIN {AccessAssignment_roles} ar ON ar.accessassignment = a.id
        LEFT JOIN {EntraRole} e ON e.template_id = ar.entrarole
        WHERE ((r.partner = %s AND r.created_for_reseller IS NULL) OR r.created_for_reseller = %s)
        AND r.customer = %s AND r.status = %s AND r.end_at > %s
        AND NOT (a.status = %s) AND a.security_group IN ({in})
    """,
    order=["security_group__name", "id", "roles__name"],
)


def _relationship_params(partner_id, customer_id) -> list[Any]:
    partner = _prep(Partner, "id", partner_id)
    return [partner, partner, _prep(Customer, "id", customer_id)]


def _assignment_params(partner_id, customer_id, now, group_ids, relationship_status, deleted_status):
    return [
        *_relationship_params(partner_id, customer_id),
        relationship_status,
        _prep(Relationship, "end_at", now),
        deleted_status,
        *(_prep(SecurityGroup, "id", group) for group in group_ids),
    ]


Branch = tuple[str, _Select, tuple[int, ...]]


@cache
def _tagged_union_sql(branches: tuple[Branch, ...]) -> str:
    """The ``branches`` (tag, query, its ``IN`` shape) as one statement: ``UNION ALL`` of their rows,
    each tagged in column 1 and NULL in the other branches' columns, ordered by the tag and then
    each one's own ordering (by position: the columns of the other branches are NULL, so each
    branch keeps its order)."""
    widths = [len(select.selected()) for _, select, _ in branches]
    statements, positions, offset = [], [], 2
    for index, (tag, select, shape) in enumerate(branches):
        before, after = sum(widths[:index]), sum(widths[index + 1 :])
        statements.append(
            select.statement([f"'{tag}'", *["NULL"] * before, *select.selected(), *["NULL"] * after], *shape)
        )
        positions += [offset + select.keys().index(key) for key in select.order]
        offset += widths[index]
    order = ", ".join(map(str, [1, *positions]))
    return f"{' UNION ALL '.join(statements)} ORDER BY {order}"


@cache
def _tagged_spans(branches: tuple[Branch, ...]) -> dict[str, tuple[_Select, int, int]]:
    """Per tag of :func:`_tagged_union_sql`: its query and where its columns are in a row."""
    spans, start = {}, 0
    for tag, select, _ in branches:
        spans[tag] = (select, start, start + len(select.keys()))
        start += len(select.keys())
    return spans


def _tagged_rows(branches: tuple[Branch, ...], params: list[Any]) -> list[list[dict[str, Any]]]:
    """Run :func:`_tagged_union_sql` with ``params`` (each branch's in turn); each branch's rows."""
    spans = _tagged_spans(branches)
    rows: dict[str, list[dict[str, Any]]] = {tag: [] for tag, _, _ in branches}
    with connection.cursor() as cursor:
        cursor.execute(_tagged_union_sql(branches), params)
        for tag, *values in cursor.fetchall():
            select, first, last = spans[tag]
            rows[tag].append(select.row(values[first:last]))
    return list(rows.values())


def relationship_and_assignment_rows(
    *, partner_id, customer_id, now, group_ids, relationship_status: str, deleted_status: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``relationship_rows``, and in the same statement the access assignments of ``group_ids`` that
    are not ``deleted_status``, inside relationships with the customer held by the partner
    (``gdap.selectors.held_by``) with ``relationship_status`` and an end after ``now``: a row per
    role, the relationships ordered by display name, id and role name, the assignments by group
    name, id and role name. Without ``group_ids`` only the relationships are read."""
    if not group_ids:
        return relationship_rows(partner_id=partner_id, customer_id=customer_id), []
    params = [
        *_relationship_params(partner_id, customer_id),
        *_assignment_params(partner_id, customer_id, now, group_ids, relationship_status, deleted_status),
    ]
    relationships, assignments = _tagged_rows(
        (("r", _RELATIONSHIPS, ()), ("a", _ASSIGNMENTS, (len(group_ids),))), params
    )
    return relationships, assignments
