"""The role picker's layout: 143 built-in roles grouped by what they allow for support, with the
least-privileged roles first (RULES.md: Service Support Administrator for tickets, Global Reader
for health; any role for Azure requests). Pure functions over ``EntraRole`` rows; the picker
template renders them and ``static/js/role_picker.js`` adds search and capability filters."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .models import EntraRole
from .roles import DIRECTORY_READERS, GLOBAL_READER, SERVICE_SUPPORT_ADMINISTRATOR

#: The least-privileged role for each support task, in the order the picker shows them.
LEAST_PRIVILEGED: tuple[tuple[str, str], ...] = (
    (
        SERVICE_SUPPORT_ADMINISTRATOR,
        _("Least privilege to file Microsoft 365, Dynamics 365 and EMS requests"),
    ),
    (GLOBAL_READER, _("Least privilege to read service health before escalating")),
    (DIRECTORY_READERS, _("Least privilege for Azure requests (with Azure RBAC on the subscription)")),
)

#: The other roles, grouped by capability: (key, title, hint, membership test).
CAPABILITY_GROUPS: tuple[tuple[str, str, str, Callable[[EntraRole], bool]], ...] = (
    (
        "tickets-health",
        _("Support tickets and service health"),
        _("May file Microsoft 365, Dynamics 365 and EMS requests and read service health."),
        lambda r: r.support_tickets and r.service_health,
    ),
    (
        "tickets",
        _("Support tickets only"),
        _("May file Microsoft 365, Dynamics 365 and EMS requests; can't read service health."),
        lambda r: r.support_tickets and not r.service_health,
    ),
    (
        "health",
        _("Service health only"),
        _("May read service health; can't file Microsoft 365 requests."),
        lambda r: r.service_health and not r.support_tickets,
    ),
    (
        "other",
        _("Other roles"),
        _(
            "Neither files Microsoft 365 requests nor reads service health; any role is enough for "
            "Azure requests."
        ),
        lambda r: not r.support_tickets and not r.service_health,
    ),
)


@dataclass(frozen=True)
class PickerRole:
    """One checkbox: the role, whether it is checked, and a note (least-privilege guidance)."""

    role: EntraRole
    checked: bool
    note: str = ""


@dataclass(frozen=True)
class PickerGroup:
    key: str
    title: str
    hint: str
    items: list[PickerRole] = field(default_factory=list)

    @property
    def open(self) -> bool:
        """Shown unfolded: the least-privileged group, and any group with a checked role."""
        return self.key == "least-privilege" or any(item.checked for item in self.items)


def role_picker_groups(roles: Iterable[EntraRole], selected: Iterable[str]) -> list[PickerGroup]:
    """``roles`` (ordered by name) in the picker's groups, each role once; ``selected`` are the
    checked template ids (strings). Empty groups are left out."""
    chosen = {str(value) for value in selected}
    by_id = {str(role.pk): role for role in roles}
    least = PickerGroup(
        "least-privilege",
        _("Recommended: least privilege"),
        _("Microsoft recommends the least-privileged role for each task."),
    )
    for template_id, note in LEAST_PRIVILEGED:
        if template_id in by_id:
            least.items.append(PickerRole(by_id.pop(template_id), template_id in chosen, note))
    groups = [least]
    for key, title, hint, belongs in CAPABILITY_GROUPS:
        group = PickerGroup(key, title, hint)
        group.items.extend(
            PickerRole(role, template_id in chosen) for template_id, role in by_id.items() if belongs(role)
        )
        groups.append(group)
    return [group for group in groups if group.items]
