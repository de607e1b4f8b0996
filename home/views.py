"""The signed-in home page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from customers.selectors import customer_list
from gdap.choices import RelationshipStatus
from gdap.permissions import is_customer_side
from gdap.selectors import customer_relationship_list, pending_invitations
from servicerequests.choices import Status
from servicerequests.selectors import service_request_list, service_requests_filed_for_customer

OPEN_STATUSES = [Status.OPEN, Status.ATTENTION_NEEDED]


@login_required
def home(request):
    """Signed-in home. A partner's user: partner, roles, counts of customers and open requests. A
    customer's admin: invitations waiting for them, active partner relationships and open requests
    partners filed for them, each leading to its page."""
    user = request.user
    if is_customer_side(user):
        context = {
            "invitation_count": pending_invitations(actor=user).count(),
            "active_relationship_count": customer_relationship_list(actor=user)
            .filter(status=RelationshipStatus.ACTIVE)
            .count(),
            "open_filed_count": service_requests_filed_for_customer(actor=user)
            .filter(status__in=OPEN_STATUSES)
            .count(),
        }
        return render(request, "partners/customer_home.html", context)
    context = {
        "customer_count": customer_list(actor=user).count(),
        "open_request_count": service_request_list(actor=user).filter(status__in=OPEN_STATUSES).count(),
    }
    return render(request, "partners/home.html", context)
