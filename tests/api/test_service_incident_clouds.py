"""``/v1/customers/{id}/serviceincidents/office`` lists only the service health issues of the
customer's cloud: a commercial incident never reaches a US Government or GCC customer."""

from __future__ import annotations

import pytest

from partners.choices import Cloud
from tests.factories import ServiceHealthIssueFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("partner_cloud", "customer_cloud", "shown", "hidden"),
    [
        ("commercial", "commercial", {"EXCOM1", "OWN1"}, {"EXGOV1", "TMGCC1"}),
        ("commercial", "gcc", {"TMGCC1", "OWN1"}, {"EXCOM1", "EXGOV1"}),
        ("us_government", "us_government", {"EXGOV1", "OWN1"}, {"EXCOM1", "TMGCC1"}),
    ],
)
def test_incidents_of_the_customers_cloud_only(api, world, partner_cloud, customer_cloud, shown, hidden):
    world.partner.cloud = Cloud(partner_cloud)
    world.partner.save()
    world.customer.cloud = customer_cloud
    world.customer.save()
    # The office feed lists Microsoft 365, EMS and Dynamics 365 issues (not Azure's).
    ServiceHealthIssueFactory(issue_id="EXCOM1", workload="m365", title="Mail delays in Europe")
    ServiceHealthIssueFactory(issue_id="EXGOV1", cloud="us_government", title="GCC High message trace")
    ServiceHealthIssueFactory(issue_id="TMGCC1", cloud="gcc", title="GCC Teams notifications")
    ServiceHealthIssueFactory(customer=world.customer, issue_id="OWN1", title="Own issue")
    response = api.get(f"/v1/customers/{world.customer.id}/serviceincidents/office")
    assert response.status_code == 200
    text = response.content.decode()
    for issue_id in shown:
        assert f'"{issue_id}"' in text
    for issue_id in hidden:
        assert f'"{issue_id}"' not in text
