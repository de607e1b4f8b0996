"""The customers view tests stage data with the eligibility tests' world (Contoso, alice, Fabrikam)."""

from tests.servicerequests.conftest import world  # noqa: F401  (the fixture)
