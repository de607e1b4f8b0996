"""The signed-in home page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from customers.selectors import customer_list
from servicerequests.choices import Status
from servicerequests.selectors import service_request_list


@login_required
def home(request):
    """Signed-in home: partner, roles, counts of customers and open requests."""
    user = request.user
    context = {
        "customer_count": customer_list(actor=user).count(),
        "open_request_count": service_request_list(actor=user)
        .filter(status__in=[Status.OPEN, Status.ATTENTION_NEEDED])
        .count(),
    }
    return render(request, "partners/home.html", context)
