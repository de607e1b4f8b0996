"""Settings → API access: the browser page of personal API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .forms import ApiTokenCreateForm, ApiTokenRevokeForm
from .selectors import api_token_list
from .services import EXPIRY_CHOICES, api_token_create, api_token_revoke


@login_required
@require_http_methods(["GET", "POST"])
def api_access(request):
    """Settings → API access: create a token (shown once), list the user's tokens, revoke one."""
    create_form = ApiTokenCreateForm()
    new_token = new_token_name = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            create_form = ApiTokenCreateForm(request.POST)
            if create_form.is_valid():
                try:
                    row, new_token = api_token_create(
                        actor=request.user,
                        name=create_form.cleaned_data["name"],
                        expires_in=EXPIRY_CHOICES[create_form.cleaned_data["expires_in"]][1],
                    )
                    new_token_name = row.name
                    create_form = ApiTokenCreateForm()
                except ValidationError as exc:
                    for field, reasons in exc.message_dict.items():
                        for reason in reasons:
                            create_form.add_error(field if field in create_form.fields else None, reason)
            if create_form.errors:
                status = 400
        elif action == "revoke":
            revoke_form = ApiTokenRevokeForm(request.POST)
            if revoke_form.is_valid() and api_token_revoke(
                actor=request.user,
                token_key=revoke_form.cleaned_data["token_key"],
            ):
                messages.success(request, "Token revoked: requests that use it now get 401.")
            else:
                messages.error(request, "No such token.")
            return redirect("api_access")
        else:
            messages.error(request, "Unknown action.")
            return redirect("api_access")
    context = {
        "create_form": create_form,
        "tokens": api_token_list(actor=request.user),
        "new_token": new_token,
        "new_token_name": new_token_name,
        "now": timezone.now(),
    }
    response = render(request, "partners/api_access.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response
