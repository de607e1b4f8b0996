"""Settings → API access (personal API tokens) and Settings → Applications (app registrations)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partners.selectors import security_group_list

from .applications import (
    application_create,
    application_registrations_visible,
    application_remove,
    application_secret_add,
    application_secret_revoke,
)
from .forms import (
    ApiTokenCreateForm,
    ApiTokenRevokeForm,
    ApplicationCreateForm,
    ApplicationRemoveForm,
    ApplicationSecretAddForm,
    ApplicationSecretRevokeForm,
)
from .models import AppRegistration, AppSecret
from .selectors import api_token_list, application_list
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
                messages.success(request, _("Token revoked: requests that use it now get 401."))
            else:
                messages.error(request, _("No such token."))
            return redirect("api_access")
        else:
            messages.error(request, _("Unknown action."))
            return redirect("api_access")
    context = {
        "create_form": create_form,
        "tokens": api_token_list(actor=request.user),
        "new_token": new_token,
        "new_token_name": new_token_name,
        "now": timezone.now(),
    }
    response = render(request, "apiaccess/api_access.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def applications(request):
    """Settings → Applications (admin agents): register an app (client id and secret shown
    once), add or revoke secrets, remove an app; everyone else gets 403."""
    if not application_registrations_visible(actor=request.user):
        raise PermissionDenied(_("Only the partner's admin agents manage app registrations."))
    groups = list(security_group_list(actor=request.user))
    create_form = ApplicationCreateForm(groups=groups)
    created = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            create_form = ApplicationCreateForm(request.POST, groups=groups)
            if create_form.is_valid():
                data = create_form.cleaned_data
                try:
                    registration, _row, secret = application_create(
                        actor=request.user,
                        display_name=data["display_name"],
                        scopes=data["scopes"],
                        security_group_ids=data["security_groups"],
                        secret_expires_in_days=data["secret_expires_in_days"],
                    )
                    created = {"registration": registration, "secret": secret, "kind": "app"}
                    create_form = ApplicationCreateForm(groups=groups)
                except ValidationError as exc:
                    for field, reasons in exc.message_dict.items():
                        for reason in reasons:
                            create_form.add_error(_FORM_FIELDS.get(field), reason)
            if create_form.errors:
                status = 400
        elif action == "add_secret":
            form = ApplicationSecretAddForm(request.POST)
            try:
                if not form.is_valid():
                    raise ValidationError("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
                row, secret = application_secret_add(
                    actor=request.user,
                    registration_id=form.cleaned_data["registration_id"],
                    description=form.cleaned_data["description"],
                    expires_in_days=form.cleaned_data["expires_in_days"],
                )
                created = {"registration": row.registration, "secret": secret, "kind": "secret"}
            except AppRegistration.DoesNotExist:
                messages.error(request, _("No such application."))
                return redirect("applications")
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("applications")
        elif action in ("revoke_secret", "remove"):
            return _application_change(request, action)
        else:
            messages.error(request, _("Unknown action."))
            return redirect("applications")
    context = {
        "create_form": create_form,
        "registrations": application_list(actor=request.user),
        "created": created,
        "secret_form": ApplicationSecretAddForm(),
        "token_url": request.build_absolute_uri("/oauth2/token"),
        "now": timezone.now(),
    }
    response = render(request, "apiaccess/applications.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


_FORM_FIELDS = {"displayName": "display_name", "scopes": "scopes", "securityGroupIds": "security_groups"}


def _application_change(request, action: str):
    form = (ApplicationSecretRevokeForm if action == "revoke_secret" else ApplicationRemoveForm)(request.POST)
    if not form.is_valid():
        messages.error(request, _("No such application or secret."))
        return redirect("applications")
    try:
        if action == "revoke_secret":
            application_secret_revoke(
                actor=request.user,
                registration_id=form.cleaned_data["registration_id"],
                secret_id=form.cleaned_data["secret_id"],
            )
            messages.success(request, _("Secret revoked: token requests with it now fail."))
        else:
            registration = application_remove(
                actor=request.user, registration_id=form.cleaned_data["registration_id"]
            )
            messages.success(
                request,
                _("Application “%(name)s” removed: its tokens no longer work.")
                % {"name": registration.display_name},
            )
    except (AppRegistration.DoesNotExist, AppSecret.DoesNotExist):
        messages.error(request, _("No such application or secret."))
    return redirect("applications")
