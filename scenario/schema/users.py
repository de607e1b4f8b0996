"""The users of a scenario: partner users (``partners[].users``) and customer admins
(``customers[].admins``)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from partners.models import User

from .. import rules
from .fields import join
from .plan import UserSpec
from .references import Checker, PartnerInfo

USERNAME_VALIDATOR = UnicodeUsernameValidator()


def user_validate(
    checker: Checker, raw, path: str, *, owner: tuple[str, str], allowed, partner: PartnerInfo | None
) -> UserSpec | None:
    """A partner user or a customer admin at ``path``: its fields, password (Django's validators),
    Partner Center roles and security groups (of ``partner``); None on any problem. ``owner`` claims
    the username for that partner or customer."""
    data = checker.mapping(raw, path, allowed)
    if data is None:
        return None
    username = checker.text(data, path, "username", required=True, max_length=150)
    if username is not None:
        try:
            USERNAME_VALIDATOR(username)
        except ValidationError:
            checker.error(join(path, "username"), f"not a valid username: {username!r}")
            username = None
    if username is not None:
        checker.username_claim(username, path, owner=owner)
    fields = {
        "email": checker.email(data, path, "email") or "",
        "first_name": checker.text(data, path, "first_name", max_length=150),
        "last_name": checker.text(data, path, "last_name", max_length=150),
        "phone": checker.text(data, path, "phone", max_length=64),
    }
    password = data.get("password")
    if password is not None:
        password = checker.text(data, path, "password", max_length=128, default=None)
        if password is not None and username is not None:
            try:
                validate_password(
                    password,
                    user=User(
                        username=username,
                        email=fields["email"] or "",
                        first_name=fields["first_name"] or "",
                        last_name=fields["last_name"] or "",
                    ),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    checker.error(join(path, "password"), message)
    roles: list[str] = []
    for role_path, role in checker.name_list(data, path, "roles"):
        if checker.choice_value(role, role_path, rules.PARTNER_CENTER_ROLES, "Partner Center role"):
            if role in roles:
                checker.error(role_path, f"duplicate role {role!r}")
            else:
                roles.append(role)
    groups: list[str] = []
    for group_path, group in checker.items(data, path, "groups"):
        name = checker.group_ref_value(group, group_path, partner)
        if name is not None and name not in groups:
            groups.append(name)
    if username is None or None in fields.values():
        return None
    return UserSpec(username=username, fields=fields, password=password, roles=roles, groups=groups)
