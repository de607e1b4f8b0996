"""Explain the eligibility decision for one user, customer and workload, rule by rule.

    python manage.py explain_eligibility --user alice --customer Fabrikam --workload m365
    python manage.py explain_eligibility --user alice --customer fabrikam.com --workload azure \\
        --subscription "Azure plan" --issue-type billing --severity critical
    python manage.py explain_eligibility --user alice --workload azure --entitlement PREM-7781   # own

Exit status 0 for any decision (allowed or denied), 1 for bad arguments.
"""

from __future__ import annotations

import json
import textwrap
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from core.text import ascii_digits
from customers.models import Customer, Subscription
from partners.models import User
from servicerequests.choices import IssueType, Severity, SupportPlan
from servicerequests.eligibility import CustomerNotVisible, Decision, EligibilityRequest, evaluate
from servicerequests.eligibility.tables import RULE_IDS, WORKLOAD_NAMES

SYMBOLS = {"passed": "✓", "failed": "✗", "not_applicable": "–"}
RULE_WIDTH = max(len(r) for r in RULE_IDS)
TEXT_WIDTH = 72


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


class Command(BaseCommand):
    help = "Print every eligibility rule's outcome, message and remedy for a request, and the verdict."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username or id of the filing partner user")
        parser.add_argument(
            "--customer",
            default="",
            help="customer name, tenant id or domain (omit: the partner's own subscription)",
        )
        parser.add_argument("--workload", required=True, help=", ".join(WORKLOAD_NAMES))
        parser.add_argument(
            "--subscription", default="", help="subscription id, Azure subscription id or offer name"
        )
        parser.add_argument("--issue-type", default="", help="Azure: " + ", ".join(IssueType.values))
        parser.add_argument("--severity", default=Severity.MINIMAL, help=", ".join(Severity.values))
        parser.add_argument("--contact-email", default="", help="default: the user's own e-mail")
        parser.add_argument("--contact-phone", default="")
        parser.add_argument("--support-plan", default="", help=", ".join(SupportPlan.values))
        parser.add_argument("--entitlement", default="", help="own subscription: a support entitlement id")
        parser.add_argument("--json", action="store_true", help="print the decision in the API's JSON shape")

    def handle(self, *args, **options):
        workload = options["workload"]
        if workload not in WORKLOAD_NAMES:
            raise CommandError(
                f"--workload: unknown workload '{workload}' (one of {', '.join(WORKLOAD_NAMES)})"
            )
        if options["severity"] not in Severity.values:
            raise CommandError(
                f"--severity: unknown severity '{options['severity']}' (one of {', '.join(Severity.values)})"
            )
        user = self._user(options["user"])
        customer = self._customer(options["customer"]) if options["customer"] else None
        subscription = (
            self._subscription(options["subscription"], customer) if options["subscription"] else None
        )
        request = EligibilityRequest(
            user_id=user.pk,
            customer_id=customer.pk if customer else None,
            workload=workload,
            subscription_id=subscription.pk if subscription else None,
            issue_type=options["issue_type"],
            contact_email=options["contact_email"],
            contact_phone=options["contact_phone"],
            severity=options["severity"],
            support_plan=options["support_plan"],
            support_entitlement_id=options["entitlement"],
        )
        try:
            decision = evaluate(request)
        except CustomerNotVisible as exc:
            partner = user.partner.name if user.partner_id else "no partner"
            raise CommandError(
                f"--customer: {customer.name} is not linked to {user.username}'s partner ({partner}); "
                "the portal answers 404 for it."
            ) from exc
        if options["json"]:
            self.stdout.write(json.dumps(decision.as_dict(), indent=2))
            return
        self._print(decision, user=user, customer=customer, subscription=subscription)

    # --- argument lookups --------------------------------------------------------------------

    def _user(self, value: str) -> User:
        user = User.objects.select_related("partner").filter(username=value).first()
        if user is None and ascii_digits(value):
            user = User.objects.select_related("partner").filter(pk=int(value)).first()
        if user is None:
            raise CommandError(f"--user: no user '{value}' (give a username or a user id)")
        return user

    def _customer(self, value: str) -> Customer:
        pk = _as_uuid(value)
        query = Q(pk=pk) if pk else Q(name__iexact=value) | Q(domains__domain__iexact=value)
        matches = list(Customer.objects.filter(query).distinct()[:2])
        if not matches:
            raise CommandError(f"--customer: no customer '{value}' (give a name, tenant id or domain)")
        if len(matches) > 1:
            raise CommandError(f"--customer: '{value}' matches several customers; give the tenant id")
        return matches[0]

    def _subscription(self, value: str, customer: Customer | None) -> Subscription:
        if customer is None:
            raise CommandError("--subscription needs --customer (own subscriptions are not in this portal)")
        pk = _as_uuid(value)
        query = Q(pk=pk) | Q(azure_subscription_id=pk) if pk else Q(offer__iexact=value)
        matches = list(Subscription.objects.filter(query, customer=customer)[:2])
        if not matches:
            raise CommandError(
                f"--subscription: {customer.name} has no subscription '{value}' "
                "(give its id, Azure subscription id or offer name)"
            )
        if len(matches) > 1:
            raise CommandError(f"--subscription: '{value}' matches several subscriptions; give the id")
        return matches[0]

    # --- output ------------------------------------------------------------------------------

    def _print(self, decision: Decision, *, user, customer, subscription) -> None:
        partner = user.partner.name if user.partner_id else "no partner"
        target = f"{customer.name} ({customer.pk})" if customer else "own subscription"
        about = f", subscription '{subscription.offer}'" if subscription else ""
        request = decision.request
        self.stdout.write(
            f"Eligibility of {user.username} ({partner}) for {target}: {request.workload}{about}, "
            f"severity {request.severity}"
            + (f", issue type {request.issue_type}" if request.issue_type else "")
        )
        self.stdout.write("")
        indent = " " * (RULE_WIDTH + 5)
        for outcome in decision.outcomes:
            lines = textwrap.wrap(outcome.message, TEXT_WIDTH, break_on_hyphens=False) or [""]
            self.stdout.write(f"  {outcome.rule_id:<{RULE_WIDTH}} {SYMBOLS[outcome.outcome]} {lines[0]}")
            for line in lines[1:]:
                self.stdout.write(indent + line)
            if outcome.remedy:
                for i, line in enumerate(
                    textwrap.wrap(outcome.remedy, TEXT_WIDTH - 2, break_on_hyphens=False)
                ):
                    self.stdout.write(indent + ("→ " if i == 0 else "  ") + line)
        self.stdout.write("")
        if decision.allowed:
            route = decision.portal
            self.stdout.write(
                self.style.SUCCESS(
                    f"Verdict: ALLOWED → {route.display_name} ({route.host}), stub page {route.url}"
                )
            )
        else:
            self.stdout.write(
                self.style.ERROR(f"Verdict: DENIED — failed: {', '.join(decision.failed_rule_ids)}")
            )
        if decision.isv_contact:
            isv = decision.isv_contact
            contacts = ", ".join(v for k, v in isv.items() if k != "name" and v)
            self.stdout.write(f"ISV contact: {isv['name']} — {contacts}")
