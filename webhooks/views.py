"""Browser pages of webhooks: the registration (create with the secret shown once, test, delete) and
the deliveries (status, response code, attempts, last error, redeliver).

Admin agents and support managers of the partner only (others: 403). Views are thin: parse,
read through ``webhooks.selectors``, call a service, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .forms import WebhookRegistrationForm
from .models import WebhookDelivery
from .selectors import webhook_delivery_get, webhook_delivery_list, webhook_registration_get, webhooks_visible
from .services import (
    WebhookNotRedeliverable,
    WebhookRegistrationExists,
    WebhookRegistrationMissing,
    webhook_delivery_redeliver,
    webhook_registration_create,
    webhook_registration_delete,
    webhook_test_send,
)

PAGE_SIZE = 25


def _require_manager(request) -> None:
    if not webhooks_visible(actor=request.user):
        raise PermissionDenied(_("Only the partner's admin agents and support managers manage webhooks."))


@login_required
@require_http_methods(["GET", "POST"])
def registration(request):
    """The partner's registration: create (the secret is shown on this answer only), test, delete."""
    _require_manager(request)
    form = WebhookRegistrationForm()
    secret = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            form = WebhookRegistrationForm(request.POST)
            if form.is_valid():
                try:
                    _registration, secret = webhook_registration_create(
                        actor=request.user,
                        url=form.cleaned_data["url"],
                        events=form.cleaned_data["events"],
                    )
                except ValidationError as exc:
                    for field, reasons in exc.message_dict.items():
                        for reason in reasons:
                            form.add_error(field if field in form.fields else None, reason)
                except WebhookRegistrationExists as exc:
                    form.add_error(None, str(exc))
            if form.errors:
                status = 400
        elif action == "delete":
            if webhook_registration_delete(actor=request.user):
                messages.success(request, _("Webhook registration deleted: no more events are sent."))
            return redirect("webhooks:registration")
        elif action == "test":
            try:
                webhook_test_send(actor=request.user)
                messages.success(request, _("Test event sent: see its delivery below."))
            except WebhookRegistrationMissing as exc:
                messages.error(request, str(exc))
            return redirect("webhooks:deliveries")
        else:
            messages.error(request, _("Unknown action."))
            return redirect("webhooks:registration")
    response = render(
        request,
        "webhooks/registration.html",
        {"registration": webhook_registration_get(actor=request.user), "form": form, "secret": secret},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def deliveries(request):
    """The partner's deliveries, newest first, 25 a page."""
    _require_manager(request)
    page = Paginator(webhook_delivery_list(actor=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "webhooks/deliveries.html", {"page_obj": page, "query_string": ""})


@login_required
@require_POST
def redeliver(request, delivery_id):
    """Send a delivered or failed delivery's event again, as a new delivery."""
    _require_manager(request)
    try:
        delivery = webhook_delivery_get(actor=request.user, delivery_id=delivery_id)
    except WebhookDelivery.DoesNotExist as exc:
        raise Http404(_("No such delivery.")) from exc
    try:
        webhook_delivery_redeliver(actor=request.user, delivery=delivery)
        messages.success(request, _("Event queued for redelivery."))
    except (WebhookNotRedeliverable, WebhookRegistrationMissing) as exc:
        messages.error(request, str(exc))
    return redirect("webhooks:deliveries")
