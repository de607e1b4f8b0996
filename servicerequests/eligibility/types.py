"""The value types of the eligibility engine: the request, one rule's outcome, the decision."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from ..exceptions import FilingError
from .text import Text, text_from_json

PASSED = "passed"
FAILED = "failed"
NOT_APPLICABLE = "not_applicable"
OUTCOME_VALUES = (PASSED, FAILED, NOT_APPLICABLE)

#: The language a record's ``message`` and ``remedy`` are written in (``Decision.as_record``).
RECORD_LANGUAGE = "en"
_OUTCOME_KEYS = ("ruleId", "outcome", "message", "remedy")


class CustomerNotVisible(FilingError):
    """The customer does not exist or is not linked to the filing user's partner.

    Answered with a 404 (the API's ``tenant_not_found``): from a partner's point of view an
    unknown customer and another partner's customer are the same thing.
    """

    api_kind = "tenant_not_found"

    def __init__(self, customer_id: Any):
        self.customer_id = customer_id
        super().__init__(f"customer {customer_id} is not visible to this partner")

    def api_description(self) -> str:
        return gettext("Customer %(id)s was not found.") % {"id": self.customer_id}


@dataclass(frozen=True)
class EligibilityRequest:
    """What the user wants to file, as far as the rules of RULES.md care.

    ``customer_id`` None means a request about the partner's own subscription.
    ``subscription_id`` is a ``customers.Subscription`` id (an Azure
    subscription id is accepted too). An empty ``contact_email`` means the
    filing user's own e-mail; an empty ``support_plan`` means the Azure
    portal's fixed default, Cloud Solution Provider; an empty ``issue_type``
    for Azure means ``technical``.
    """

    user_id: Any
    customer_id: uuid.UUID | str | None
    workload: str
    subscription_id: uuid.UUID | str | None = None
    issue_type: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    severity: str = "minimal"
    support_plan: str = ""
    support_entitlement_id: str = ""

    @property
    def on_behalf_of_customer(self) -> bool:
        return self.customer_id is not None


@dataclass(frozen=True)
class Outcome:
    """One rule's verdict: passed, failed or not_applicable; a remedy only when failed.

    ``message_text``/``remedy_text`` are :class:`~.text.Text` (or plain strings): ``message`` and
    ``remedy`` render them in the language active when they are read, never when the outcome was
    built. ``as_dict`` is the API's shape, in the active language; ``as_record`` is what a filed
    request stores: English text plus the msgids and parameters to render it again
    (:meth:`from_record`). Rule ids and outcome values never change with the language.
    """

    rule_id: str
    outcome: str
    message_text: Text | str
    remedy_text: Text | str = ""

    def __post_init__(self):
        if self.outcome not in OUTCOME_VALUES:
            raise ValueError(f"outcome must be one of {OUTCOME_VALUES}, not {self.outcome!r}")
        if self.outcome != FAILED and self.remedy_text:
            raise ValueError(f"{self.rule_id}: only a failed outcome carries a remedy")

    @property
    def message(self) -> str:
        return str(self.message_text)

    @property
    def remedy(self) -> str:
        return str(self.remedy_text)

    @property
    def failed(self) -> bool:
        return self.outcome == FAILED

    def as_dict(self) -> dict[str, str]:
        return {
            "ruleId": self.rule_id,
            "outcome": self.outcome,
            "message": self.message,
            "remedy": self.remedy,
        }

    def as_record(self) -> dict[str, Any]:
        """The stored form: ``as_dict`` in English, plus ``messageText``/``remedyText`` (ids + params)."""
        with translation.override(RECORD_LANGUAGE):
            return self._record()

    def _record(self) -> dict[str, Any]:
        """``as_record`` in the active language (the caller has made it English); the sentences
        through ``Text.english``, which renders each distinct one once per process."""
        record: dict[str, Any] = {
            "ruleId": self.rule_id,
            "outcome": self.outcome,
            "message": _in_english(self.message_text),
            "remedy": _in_english(self.remedy_text),
        }
        for key, text in (("messageText", self.message_text), ("remedyText", self.remedy_text)):
            if isinstance(text, Text):
                record[key] = text.as_json()
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Outcome:
        """An outcome from ``as_record`` (or an older record with English text only)."""
        message = (
            text_from_json(record["messageText"]) if "messageText" in record else record.get("message", "")
        )
        remedy = text_from_json(record["remedyText"]) if "remedyText" in record else record.get("remedy", "")
        return cls(record.get("ruleId", ""), record.get("outcome", ""), message or "", remedy or "")


def _in_english(text: Text | str) -> str:
    return text.english() if isinstance(text, Text) else str(text)


@dataclass(frozen=True)
class PortalRoute:
    """Where an allowed request goes: a workload portal, in the partner's cloud.

    ``url`` is this application's stub portal page (the redirect target, the
    routing token is added by ``servicerequests.routing``); ``public_url`` is
    the real portal's address in the customer's tenant, shown for reference.
    """

    portal: str
    cloud: str
    display_name: str
    url: str
    public_url: str
    host: str
    list_name: str
    government: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "portal": self.portal,
            "cloud": self.cloud,
            "displayName": self.display_name,
            "url": self.url,
            "publicUrl": self.public_url,
            "host": self.host,
            "listName": self.list_name,
            "government": self.government,
        }


@dataclass(frozen=True)
class Decision:
    """The verdict on a request: every rule's outcome in RULES.md order, plus where to go next.

    ``portal`` is set only when the request is allowed; ``isv_contact`` is set
    for a marketplace product whose publisher is known. ``customer``: the
    customer's facts as the decision read them (``snapshot.CustomerFacts``),
    so that filing needs no second read of the customer; ``partner``: the
    filing partner's (``facts.PartnerFacts``), so that filing knows whether it
    has webhook registrations to look up.
    """

    outcomes: tuple[Outcome, ...]
    portal: PortalRoute | None = None
    isv_contact: dict[str, str] | None = None
    request: EligibilityRequest | None = field(default=None, compare=False)
    customer: Any = field(default=None, compare=False, repr=False)
    partner: Any = field(default=None, compare=False, repr=False)

    @property
    def allowed(self) -> bool:
        return not any(o.failed for o in self.outcomes)

    @property
    def failed_rule_ids(self) -> list[str]:
        return [o.rule_id for o in self.outcomes if o.failed]

    @property
    def failed_outcomes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.failed]

    def outcome(self, rule_id: str) -> Outcome:
        """The outcome of one rule; ``KeyError`` for an unknown rule id."""
        for o in self.outcomes:
            if o.rule_id == rule_id:
                return o
        raise KeyError(rule_id)

    def as_dict(self) -> dict[str, Any]:
        """The API.md shape, JSON-ready, its messages in the active language."""
        return self._shape([o.as_dict() for o in self.outcomes])

    def as_record(self) -> dict[str, Any]:
        """What a service request stores as its eligibility snapshot: ``as_dict`` in English, each
        outcome with its msgids and parameters (``Outcome.as_record``), so that a page renders the
        recorded decision again in its reader's language (``outcomes_from_record``)."""
        with translation.override(RECORD_LANGUAGE):
            return self._shape([o._record() for o in self.outcomes])

    def _shape(self, outcomes: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "outcomes": outcomes,
            "portal": self.portal.as_dict() if self.portal else None,
            "isvContact": dict(self.isv_contact) if self.isv_contact else None,
        }


def outcomes_from_record(record: dict[str, Any] | None) -> list[Outcome]:
    """The outcomes of a stored eligibility snapshot (``Decision.as_record``), rendered when read."""
    return [Outcome.from_record(o) for o in (record or {}).get("outcomes") or () if isinstance(o, dict)]


def record_as_dict(record: dict[str, Any] | None) -> dict[str, Any]:
    """A stored eligibility snapshot in ``Decision.as_dict``'s shape, its messages in the active
    language (what the API shows of a filed request); a record without outcomes is returned as is.

    In the record's own language (``RECORD_LANGUAGE``) the stored sentences are the rendering, so
    they are taken as they are; in any other language each outcome is rendered again."""
    if not record or "outcomes" not in record:
        return dict(record or {})
    if translation.get_language() == RECORD_LANGUAGE:
        outcomes = [o for o in record["outcomes"] or () if isinstance(o, dict)]
        if all(key in o for o in outcomes for key in _OUTCOME_KEYS):
            return {**record, "outcomes": [{key: o[key] for key in _OUTCOME_KEYS} for o in outcomes]}
    return {**record, "outcomes": [o.as_dict() for o in outcomes_from_record(record)]}
