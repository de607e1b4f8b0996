"""Browser pages for GDAP: the partner's relationships (list, create, detail with its actions and
access assignments) and the customer's invitation page (approve / reject).

Thin views: objects come from the scoped selectors (another partner's relationship is a 404), writes
go through ``gdap.services``; a refused action is shown inline (400), a forbidden one is a 403.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from core.text import possessive_here

from . import selectors, services
from .choices import AUTO_EXTEND_OFF, AUTO_EXTEND_ON, RelationshipStatus
from .exceptions import GdapError, GdapPermissionDenied, GdapPreconditionFailed
from .forms import (
    AssignmentForm,
    AutoExtendForm,
    InvitationDecisionForm,
    RelationshipForm,
    RoleTemplateForm,
    add_service_error,
)
from .models import Relationship
from .pages import days_left, decision_message, invitation_heading
from .permissions import (
    is_admin_agent_of,
    is_approver,
    is_holder_admin_agent,
    is_manager,
    is_partner_admin_agent,
    is_reseller_admin_agent,
    may_transition,
)
from .role_picker import role_picker_groups
from .roles import SUGGESTED_TEMPLATES

PAGE_SIZE = 25


def _get(request, relationship_id) -> Relationship:
    try:
        return selectors.relationship_get(actor=request.user, relationship_id=relationship_id)
    except Relationship.DoesNotExist:
        raise Http404(_("No such GDAP relationship.")) from None


def _require_admin_agent(request) -> None:
    if not is_admin_agent_of(request.user, request.user.partner_id):
        raise PermissionDenied(_("Only the partner's admin agents manage GDAP relationships."))


@login_required
def relationship_list(request):
    """The actor's relationships: filter by status, or the 30 / 7 / 1-day expiry views; paginated."""
    status = request.GET.get("status", "")
    if status not in RelationshipStatus.values:
        status = ""
    expiring = request.GET.get("expiring", "")
    expiring_days = int(expiring) if expiring in {str(d) for d in selectors.EXPIRING_WITHIN_DAYS} else None
    qs = selectors.relationship_page_list(
        actor=request.user, status=status, expiring_within_days=expiring_days
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in (("status", status), ("expiring", expiring_days)) if v}
    context = {
        "page_obj": page,
        "query_string": urlencode(query),
        "status": status,
        "expiring": expiring_days,
        "statuses": RelationshipStatus.choices,
        "expiring_views": selectors.EXPIRING_WITHIN_DAYS,
        "can_manage": is_admin_agent_of(request.user, request.user.partner_id),
        "invitation_count": selectors.pending_invitations(actor=request.user).count(),
        # GDAP-EXPIRY-NOTICE: the rows the widest expiry view lists (active, not auto-extending,
        # ending within 30 days) are flagged in every view.
        "flag_expiring_before": timezone.now() + timedelta(days=max(selectors.EXPIRING_WITHIN_DAYS)),
    }
    return render(request, "gdap/relationship_list.html", context)


def _picker_context(request, form, template_form=None):
    selected = {str(value) for value in form["roles"].value() or []}
    custom = list(selectors.role_template_list(actor=request.user))
    template_form = template_form or RoleTemplateForm()
    roles = list(selectors.role_catalogue())
    return {
        "form": form,
        "roles": roles,
        "selected_roles": selected,
        "role_groups": role_picker_groups(roles, selected),
        "template_role_groups": role_picker_groups(roles, template_form["roles"].value() or []),
        "suggested_templates": [
            {"key": key, "name": name, "description": description, "role_ids": ids}
            for key, (name, description, ids) in SUGGESTED_TEMPLATES.items()
        ],
        "custom_templates": custom,
        "template_form": template_form,
    }


def _template_roles(request, key) -> list[str]:
    if key in SUGGESTED_TEMPLATES:
        return list(SUGGESTED_TEMPLATES[key][2])
    for template in selectors.role_template_list(actor=request.user):
        if str(template.pk) == key:
            return [str(r.pk) for r in template.roles.all()]
    return []


@login_required
def relationship_create(request):
    """New relationship with the role picker (capabilities, least-privileged templates)."""
    _require_admin_agent(request)
    if request.method == "POST":
        form = RelationshipForm(request.POST, actor=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                relationship = services.relationship_create(
                    actor=request.user,
                    customer_id=data["customer"].pk,
                    display_name=data["display_name"],
                    duration=timedelta(days=data["duration_days"]),
                    role_ids=data["roles"],
                    auto_extend_duration=AUTO_EXTEND_ON if data["auto_extend"] else AUTO_EXTEND_OFF,
                    created_for_reseller_id=(
                        data["created_for_reseller"].pk if data.get("created_for_reseller") else None
                    ),
                )
            except GdapPermissionDenied as exc:
                raise PermissionDenied(str(exc)) from exc
            except GdapError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, _("Relationship “%(name)s” created.") % {"name": relationship.display_name}
                )
                return redirect("gdap:relationship_detail", relationship_id=relationship.pk)
        status = 400
    else:
        initial = {"duration_days": 730}
        if request.GET.get("customer"):  # a refusal page's "Request a GDAP relationship"
            initial["customer"] = request.GET["customer"]
        template_key = request.GET.get("template", "")
        if template_key:
            initial["roles"] = _template_roles(request, template_key)
        form = RelationshipForm(initial=initial, actor=request.user)
        status = 200
    return render(request, "gdap/relationship_form.html", _picker_context(request, form), status=status)


@login_required
@require_POST
def role_template_create(request):
    """Save the checked roles as a named template for the partner's role picker."""
    _require_admin_agent(request)
    form = RoleTemplateForm(request.POST)
    if form.is_valid():
        try:
            template = services.role_template_create(
                actor=request.user, name=form.cleaned_data["name"], role_ids=form.cleaned_data["roles"]
            )
        except GdapError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Template “%(name)s” saved.") % {"name": template.name})
            return redirect(f"{reverse('gdap:relationship_create')}?template={template.pk}")
    context = _picker_context(request, RelationshipForm(actor=request.user), template_form=form)
    return render(request, "gdap/relationship_form.html", context, status=400)


def _render_detail(request, relationship, *, status=200, errors=None, assignment_form=None):
    can_manage = is_manager(request.user, relationship)
    user = request.user
    context = {
        "relationship": relationship,
        "roles": list(relationship.roles.all()),
        "assignments": list(selectors.assignment_list(relationship=relationship)),
        "requests": list(selectors.request_list(relationship=relationship)),
        "can_manage": can_manage,
        "can_terminate": may_transition(request.user, relationship, "terminate"),
        # GDAP-INDIRECT-RESELLER: who is looking at a relationship created for a reseller.
        "viewer_is_provider": relationship.created_for_reseller_id is not None
        and user.partner_id == relationship.partner_id,
        "viewer_is_reseller": user.partner_id is not None
        and user.partner_id == relationship.created_for_reseller_id,
        "show_groups": user.partner_id is not None and user.partner_id == relationship.holder_id,
        "can_answer": relationship.status == RelationshipStatus.APPROVAL_PENDING
        and is_approver(user, relationship),
        "is_approver": is_approver(request.user, relationship),
        "errors": errors or {},
        "auto_extend_days": AUTO_EXTEND_ON.days,
        "assignment_form": assignment_form
        or (AssignmentForm(actor=request.user, relationship=relationship) if can_manage else None),
        "auto_extend_form": AutoExtendForm(initial={"enabled": relationship.auto_extends}),
        "invitation_url": (
            request.build_absolute_uri(services.invitation_path(relationship))
            if relationship.locked_at
            else ""
        ),
    }
    return render(request, "gdap/relationship_detail.html", context, status=status)


@login_required
def relationship_detail(request, relationship_id):
    """Roles with capabilities, dates, status, invitation link, auto-extend, assignments, actions."""
    return _render_detail(request, _get(request, relationship_id))


def _run_action(request, relationship_id, error_key, action):
    """Call one service for a POSTed action; on refusal re-render the page with the error inline."""
    relationship = _get(request, relationship_id)
    try:
        action(relationship)
    except GdapPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except (GdapError, GdapPreconditionFailed) as exc:
        return _render_detail(
            request, _get(request, relationship_id), status=400, errors={error_key: str(exc)}
        )
    return None


@login_required
@require_POST
def relationship_lock(request, relationship_id):
    response = _run_action(
        request,
        relationship_id,
        "lock",
        lambda r: services.relationship_lock_for_approval(actor=request.user, relationship_id=r.pk),
    )
    if response is None:
        messages.success(request, _("Locked for approval: send the invitation link to the customer's admin."))
        return redirect("gdap:relationship_detail", relationship_id=relationship_id)
    return response


@login_required
@require_POST
def relationship_auto_extend(request, relationship_id):
    form = AutoExtendForm(request.POST)
    form.is_valid()
    enabled = form.cleaned_data.get("enabled", False)
    response = _run_action(
        request,
        relationship_id,
        "auto_extend",
        lambda r: services.relationship_set_auto_extend(
            actor=request.user, relationship_id=r.pk, enabled=enabled
        ),
    )
    if response is None:
        days = AUTO_EXTEND_ON.days
        messages.success(
            request,
            ngettext("Auto-extend is now on (%(days)s day).", "Auto-extend is now on (%(days)s days).", days)
            % {"days": days}
            if enabled
            else _("Auto-extend is now off."),
        )
        return redirect("gdap:relationship_detail", relationship_id=relationship_id)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def relationship_terminate(request, relationship_id):
    """GDAP-TERMINATE: GET asks for confirmation (what ending the relationship means), POST ends it."""
    if request.method == "GET":
        relationship = _get(request, relationship_id)
        if not may_transition(request.user, relationship, "terminate"):
            raise PermissionDenied(
                _("Only the partner admin agents or the customer admin end an active relationship.")
            )
        context = {
            "relationship": relationship,
            "roles": list(relationship.roles.all()),
            "days_left": days_left(relationship),
        }
        return render(request, "gdap/relationship_terminate.html", context)
    response = _run_action(
        request,
        relationship_id,
        "terminate",
        lambda r: services.relationship_terminate(actor=request.user, relationship_id=r.pk),
    )
    if response is None:
        messages.success(request, _("Termination requested: the partner's access ends now."))
        return redirect("gdap:relationship_detail", relationship_id=relationship_id)
    return response


@login_required
@require_POST
def relationship_delete(request, relationship_id):
    response = _run_action(
        request,
        relationship_id,
        "delete",
        lambda r: services.relationship_delete(actor=request.user, relationship_id=r.pk),
    )
    if response is None:
        messages.success(request, _("Relationship deleted."))
        return redirect("gdap:relationship_list")
    return response


@login_required
@require_POST
def assignment_create(request, relationship_id):
    relationship = _get(request, relationship_id)
    if not is_holder_admin_agent(request.user, relationship):
        if is_partner_admin_agent(request.user, relationship):
            raise PermissionDenied(
                "GDAP-INDIRECT-RESELLER: "
                + _(
                    "you created this relationship for your indirect reseller; its roles go to the "
                    "reseller's security groups, assigned by the reseller's admin agents."
                )
            )
        raise PermissionDenied(_("Only the partner's admin agents manage access assignments."))
    form = AssignmentForm(request.POST, actor=request.user, relationship=relationship)
    if form.is_valid():
        try:
            services.assignment_create(
                actor=request.user,
                relationship_id=relationship.pk,
                security_group_id=form.cleaned_data["security_group"].pk,
                role_ids=form.cleaned_data["roles"],
            )
        except GdapError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Access assignment added."))
            return redirect("gdap:relationship_detail", relationship_id=relationship.pk)
    return _render_detail(request, relationship, status=400, assignment_form=form)


@login_required
@require_POST
def assignment_delete(request, relationship_id, assignment_id):
    relationship = _get(request, relationship_id)
    response = _run_action(
        request,
        relationship_id,
        "assignments",
        lambda r: services.assignment_delete(
            actor=request.user, relationship_id=r.pk, assignment_id=assignment_id
        ),
    )
    if response is None:
        messages.success(request, _("Access assignment removed."))
        return redirect("gdap:relationship_detail", relationship_id=relationship.pk)
    return response


@login_required
def invitation_list(request):
    """The relationships waiting for the actor's approval (customer admin or reseller admin agent)."""
    invitations = selectors.pending_invitations(actor=request.user).order_by("-locked_at", "id")
    page = Paginator(invitations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "gdap/invitation_list.html", {"page_obj": page, "query_string": ""})


@login_required
def invitation(request, relationship_id):
    """The invitation link (GDAP-LOCK): the approver sees the partner and each role requested with its
    capabilities, and approves all or rejects (GDAP-APPROVE). For a relationship an indirect provider
    created for its reseller (GDAP-INDIRECT-RESELLER) the reseller's admin agent answers first here,
    then the customer's Global Administrator; the page says which step it is."""
    relationship = _get(request, relationship_id)
    reseller_step = relationship.is_partner_consent_pending
    if not (is_approver(request.user, relationship) or is_reseller_admin_agent(request.user, relationship)):
        if reseller_step:
            raise PermissionDenied(
                "GDAP-INDIRECT-RESELLER: "
                + _(
                    "%(owner)s admin agents approve this relationship first; the customer's Global "
                    "Administrator approves it afterwards."
                )
                % {
                    "name": relationship.created_for_reseller.name,
                    "owner": possessive_here(relationship.created_for_reseller.name),
                }
            )
        raise PermissionDenied(_("Only the customer's Global Administrator may answer this invitation."))
    error = ""
    if request.method == "POST":
        form = InvitationDecisionForm(request.POST)
        if form.is_valid():
            service = {"approve": services.relationship_approve, "reject": services.relationship_reject}[
                form.cleaned_data["decision"]
            ]
            try:
                service(actor=request.user, relationship_id=relationship.pk)
            except GdapError as exc:
                error = str(exc)
            else:
                messages.success(
                    request,
                    decision_message(
                        relationship,
                        approved=form.cleaned_data["decision"] == "approve",
                        reseller_step=reseller_step,
                    ),
                )
                return redirect("gdap:invitation", relationship_id=relationship.pk)
        else:
            error = _("Choose Approve all or Reject.")
        relationship = _get(request, relationship_id)
    pending = relationship.status == RelationshipStatus.APPROVAL_PENDING and is_approver(
        request.user, relationship
    )
    context = {
        "relationship": relationship,
        "heading": invitation_heading(relationship, reseller_view=not request.user.customer_id),
        "roles": list(relationship.roles.all()),
        "error": error,
        "reseller_step": reseller_step,
        "pending": pending,
        # Approve all is asked twice: the first button (a GET) shows what approving grants.
        "confirming": pending and request.GET.get("confirm") == "approve",
    }
    return render(request, "gdap/invitation.html", context, status=400 if error else 200)
