"""Validation of a scenario document into a plan the loader can write without further checks.

:func:`scenario_validate` reads the whole document, collects *every* problem as
``path.to.field: reason`` and raises :class:`ScenarioError` with all of them,
or returns a :class:`~scenario.schema.plan.ScenarioPlan` whose values are already
resolved (times, durations, Entra role ids, Azure role GUIDs) and whose references
are known to exist, either in the document or (unless the load resets) in the
database. It only reads the database.

The modules, along the document's seams:

- ``fields``: the shared field readers (text, choices, numbers, times, e-mail, URL, …);
- ``references``: the cross-reference pass (partners, customers, users, security groups,
  Entra roles, usernames) against the document and the database;
- one validator per section: ``partners`` (with ``users``), ``customers`` (with
  ``subscriptions``), ``gdap``, ``health``, ``service_requests`` (with ``history``), ``handoffs``;
- ``plan``: what a valid document resolves into.
"""

from __future__ import annotations

from datetime import datetime

from .. import rules
from .customers import customers_validate
from .gdap import relationships_validate
from .handoffs import handoffs_validate
from .health import health_validate
from .partners import partners_validate
from .plan import ScenarioPlan
from .references import Checker
from .service_requests import service_requests_validate

__all__ = ["ScenarioError", "scenario_validate"]


class ScenarioError(Exception):
    """A scenario was refused. ``errors`` lists every problem as ``path.to.field: reason``."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


def scenario_validate(document, *, now: datetime, reset: bool = False) -> ScenarioPlan:
    """Check a whole scenario document and resolve it into a :class:`ScenarioPlan`.

    References resolve against the document and, unless ``reset`` (the
    database is about to be wiped), against what the database already holds.
    Sections are read in writing order, so a reference to a partner or
    customer resolves wherever the document describes it. Raises
    :class:`ScenarioError` listing every problem. Reads only.
    """
    checker = Checker(now=now, use_db=not reset)
    if document is None:
        document = {}
    doc = checker.mapping(document, "(document)", rules.TOP_LEVEL_KEYS)
    if doc is None:
        raise ScenarioError(checker.errors)
    checker.errors = [e.removeprefix("(document).") for e in checker.errors]
    plan = ScenarioPlan()
    plan.partners = partners_validate(checker, doc)
    plan.customers = customers_validate(checker, doc)
    plan.relationships = relationships_validate(checker, doc)
    plan.health_issues = health_validate(checker, doc)
    plan.service_requests = service_requests_validate(checker, doc, customers=plan.customers)
    plan.handoffs = handoffs_validate(checker, doc, customers=plan.customers, requests=plan.service_requests)
    checker.usernames_against_database()
    if checker.errors:
        raise ScenarioError(checker.errors)
    return plan
