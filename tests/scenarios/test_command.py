"""``manage.py load_scenario``: --check, --reset, --if-empty, errors on stderr and exit code 1."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from partners.models import Partner

from .conftest import FILES, GOOD, row_counts

pytestmark = pytest.mark.django_db

FIVE_MISTAKES = FILES / "five_mistakes.yaml"


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("load_scenario", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_load_prints_a_summary():
    out, err = run(GOOD)
    assert err == ""
    assert out == (
        f"Loaded {GOOD}: 3 partners, 4 security groups, 5 users, 5 user roles, 2 support entitlements, "
        "2 customers, 3 customer domains, 3 customer partner links, 5 subscriptions, "
        "3 azure role assignments, 2 gdap relationships, 2 gdap access assignments, "
        "2 service health issues, 8 service requests (49 new rows).\n"
    )
    assert Partner.objects.count() == 3


def test_check_writes_nothing():
    before = row_counts()
    out, err = run("--check", GOOD)
    assert out.startswith(f"{GOOD} is valid: 3 partners, ")
    assert err == ""
    assert row_counts() == before


@pytest.mark.parametrize("check", [True, False])
def test_a_bad_file_exits_1_with_one_line_per_problem_on_stderr(check):
    before = row_counts()
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(
            "load_scenario", *(["--check"] if check else []), str(FIVE_MISTAKES), stdout=out, stderr=err
        )
    assert exc.value.returncode == 1
    assert str(exc.value) == f"5 problems in {FIVE_MISTAKES}; nothing was written."
    assert err.getvalue().splitlines() == [
        "partners[1].type: unknown partner type 'distributor' "
        "(expected one of: direct_bill, indirect_provider, indirect_reseller, advisor)",
        "customers[0].partners[0].partner: unknown partner 'Contso'",
        "gdap_relationships[0].roles[1]: unknown Entra role 'Global Admn'",
        "gdap_relationships[1].duration: bad ISO 8601 duration 'two years': "
        "expected for example P730D or PT0S",
        "service_health[0].start: bad time '-3x': expected ISO 8601 or now, +7d, -30d, -2h, -15m",
    ]
    assert out.getvalue() == ""
    assert row_counts() == before


def test_a_missing_file_exits_1(tmp_path):
    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("load_scenario", str(tmp_path / "missing.yaml"), stderr=err)
    assert exc.value.returncode == 1
    assert err.getvalue() == f"{tmp_path / 'missing.yaml'}: no such file\n"


def test_reset_wipes_then_reloads():
    run(GOOD)
    Partner.objects.create(name="Litware Partners", type="advisor")
    out, _ = run("--reset", GOOD)
    assert out.startswith("Reset: deleted ")
    assert sorted(Partner.objects.values_list("name", flat=True)) == [
        "Contoso Partners",
        "Northwind Distribution",
        "Tailspin Resellers",
    ]
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "scenario.loaded",
        "scenario.reset",
        "scenario.loaded",
    ]


def test_if_empty_loads_into_an_empty_database_only():
    out, _ = run("--if-empty", GOOD)
    assert out.startswith(f"Loaded {GOOD}: ")
    before = row_counts()
    out, err = run("--if-empty", GOOD)
    assert (out, err) == (f"Partners exist already: {GOOD} not loaded (--if-empty).\n", "")
    assert row_counts() == before


def test_if_empty_and_reset_contradict():
    with pytest.raises(CommandError) as exc:
        run("--if-empty", "--reset", GOOD)
    assert str(exc.value) == "--if-empty and --reset contradict each other: choose one."
