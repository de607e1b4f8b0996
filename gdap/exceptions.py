"""Errors of the GDAP services. Views map them: rule violation / bad input → 400 (browser: inline
error), permission → 403, stale version → 412. Not-visible objects are ``DoesNotExist`` → 404."""


class GdapError(Exception):
    """Base class: ``message`` for people, ``field`` (wire name) when one input field is at fault."""

    rule_id = ""

    def __init__(self, message: str, *, field: str | None = None):
        self.message = message
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.message}" if self.rule_id else self.message


class GdapValidationError(GdapError):
    """Bad input that no GDAP rule names (unknown role id, unknown customer, missing field)."""


class GdapRuleViolation(GdapError):
    """A GDAP-* rule of RULES.md refused the change; ``rule_id`` is that rule's id."""

    def __init__(self, rule_id: str, message: str, field: str | None = None):
        self.rule_id = rule_id
        super().__init__(message, field=field)


class GdapPermissionDenied(GdapRuleViolation):
    """The actor may see the relationship but may not perform this action on it."""


class GdapPreconditionFailed(GdapError):
    """The caller's version (``If-Match``) is not the current one; nothing was changed."""
