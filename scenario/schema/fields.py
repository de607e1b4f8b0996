"""Shared field readers: a scenario value read, checked and normalised, or a problem recorded.

Every reader of :class:`FieldReader` records a problem as ``path.to.field: reason`` and returns
None (or the default for an absent optional field), so a section reads on after a mistake and the
whole document's problems are reported at once.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from ..times import resolve_duration, resolve_time

DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
URL_VALIDATOR = URLValidator(schemes=["http", "https"])
MISSING = object()


def join(path: str, key: str | int) -> str:
    """The path of ``key`` inside ``path``: ``a.b``, ``a[0]``, or ``key`` at the top."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def one_of(values) -> str:
    return ", ".join(values)


def type_name(value) -> str:
    """How a problem names the type of a YAML value."""
    names = {
        str: "a string",
        bool: "true/false",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a mapping",
    }
    if value is None:
        return "nothing"
    return names.get(type(value), type(value).__name__)


class FieldReader:
    """Collects every problem while reading the document; a reader returns None on a problem."""

    def __init__(self, *, now: datetime):
        self.now = now
        self.errors: list[str] = []

    def error(self, path: str, reason: str) -> None:
        self.errors.append(f"{path}: {reason}")

    def mapping(self, value, path: str, allowed: tuple[str, ...]) -> dict | None:
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping, got {type_name(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.error(join(path, str(key)), f"unknown field (expected one of: {one_of(allowed)})")
        return value

    def items(self, data: dict, path: str, key: str) -> list[tuple[str, Any]]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(join(path, key), f"expected a list, got {type_name(value)}")
            return []
        return [(join(join(path, key), i), item) for i, item in enumerate(value)]

    def text(
        self,
        data: dict,
        path: str,
        key: str,
        *,
        required: bool = False,
        max_length: int | None = None,
        default: str | None = "",
        numbers: bool = False,
    ) -> str | None:
        value = data.get(key, MISSING)
        here = join(path, key)
        if value is MISSING or value is None:
            if required:
                self.error(here, "required")
            return None if required else default
        return self.text_value(value, here, max_length=max_length, numbers=numbers)

    def text_value(self, value, path: str, *, max_length: int | None = None, numbers: bool = False):
        if numbers and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.error(path, f"expected a string, got {type_name(value)}")
            return None
        value = value.strip()
        if not value:
            self.error(path, "must not be empty")
            return None
        if max_length is not None and len(value) > max_length:
            self.error(path, f"at most {max_length} characters, got {len(value)}")
            return None
        return value

    def choice(self, data: dict, path: str, key: str, choices, what: str, *, required=False, default=None):
        value = data.get(key, MISSING)
        here = join(path, key)
        if value is MISSING or value is None:
            if required:
                self.error(here, "required")
            return default
        return self.choice_value(value, here, choices, what)

    def choice_value(self, value, path: str, choices, what: str):
        if not isinstance(value, str):
            self.error(path, f"expected a string, got {type_name(value)}")
            return None
        if value not in choices:
            self.error(path, f"unknown {what} {value!r} (expected one of: {one_of(choices)})")
            return None
        return value

    def boolean(self, data: dict, path: str, key: str, *, default: bool) -> bool | None:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.error(join(path, key), f"expected true or false, got {type_name(value)}")
            return None
        return value

    def integer(self, data, path, key, *, required=False, default=None, low=None, high=None):
        value = data.get(key, MISSING)
        here = join(path, key)
        if value is MISSING or value is None:
            if required:
                self.error(here, "required")
            return default
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(here, f"expected a whole number, got {type_name(value)}")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.error(here, f"must be between {low} and {high}, got {value}")
            return None
        return value

    def time(self, data: dict, path: str, key: str, *, required: bool = False) -> datetime | None:
        value = data.get(key, MISSING)
        here = join(path, key)
        if value is MISSING or value is None:
            if required:
                self.error(here, "required")
            return None
        try:
            return resolve_time(value, now=self.now)
        except ValueError as exc:
            self.error(here, str(exc))
            return None

    def duration(self, data: dict, path: str, key: str, *, required: bool = False, default=None):
        value = data.get(key, MISSING)
        here = join(path, key)
        if value is MISSING or value is None:
            if required:
                self.error(here, "required")
            return default
        try:
            return resolve_duration(value)
        except ValueError as exc:
            self.error(here, str(exc))
            return None

    def uuid_value(self, data: dict, path: str, key: str) -> uuid.UUID | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            return uuid.UUID(str(value))
        except ValueError:
            self.error(join(path, key), f"not a UUID: {value!r}")
            return None

    def email(self, data: dict, path: str, key: str, *, required: bool = False) -> str | None:
        value = self.text(data, path, key, required=required, max_length=254, default=None)
        if value is None:
            return None
        try:
            validate_email(value)
        except ValidationError:
            self.error(join(path, key), f"not an e-mail address: {value!r}")
            return None
        return value

    def url(self, data: dict, path: str, key: str) -> str | None:
        value = self.text(data, path, key, max_length=200, default=None)
        if value is None:
            return None
        try:
            URL_VALIDATOR(value)
        except ValidationError:
            self.error(join(path, key), f"not an http(s) URL: {value!r}")
            return None
        return value

    def name_list(self, data: dict, path: str, key: str, *, required: bool = False) -> list[tuple[str, str]]:
        if required and not data.get(key):
            self.error(join(path, key), "required (a non-empty list)")
            return []
        out = []
        for item_path, item in self.items(data, path, key):
            value = self.text_value(item, item_path)
            if value is not None:
                out.append((item_path, value))
        return out

    def domain_value(self, value: str, path: str) -> str | None:
        domain = value.lower()
        if not DOMAIN.match(domain):
            self.error(path, f"not a domain name: {value!r}")
            return None
        return domain
