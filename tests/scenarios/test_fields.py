"""The shared field readers: a value, or ``None`` and exactly one ``path: reason`` line."""

from __future__ import annotations

import pytest

from scenario.schema.fields import FieldReader, join

from .conftest import NOW


@pytest.mark.parametrize(
    ("path", "key", "expected"),
    [
        ("", "partners", "partners"),
        ("partners", 0, "partners[0]"),
        ("partners[0]", "name", "partners[0].name"),
    ],
)
def test_join(path, key, expected):
    assert join(path, key) == expected


@pytest.mark.parametrize(
    ("read", "value", "expected"),
    [
        (lambda r, d: r.text(d, "p", "k"), "  Contoso  ", "Contoso"),
        (lambda r, d: r.text(d, "p", "k", numbers=True), 1234, "1234"),
        (lambda r, d: r.boolean(d, "p", "k", default=False), True, True),
        (lambda r, d: r.integer(d, "p", "k", low=1, high=10), 10, 10),
        (lambda r, d: r.choice(d, "p", "k", ("a", "b"), "letter"), "b", "b"),
        (lambda r, d: r.url(d, "p", "k"), "https://contoso.com/help", "https://contoso.com/help"),
        (lambda r, d: r.email(d, "p", "k"), "help@contoso.com", "help@contoso.com"),
    ],
)
def test_a_good_value_is_read_without_problems(read, value, expected):
    reader = FieldReader(now=NOW)
    assert read(reader, {"k": value}) == expected
    assert reader.errors == []


@pytest.mark.parametrize(
    ("read", "value", "expected"),
    [
        (lambda r, d: r.text(d, "p", "k"), 7, "p.k: expected a string, got a number"),
        (lambda r, d: r.text(d, "p", "k"), "   ", "p.k: must not be empty"),
        (lambda r, d: r.text(d, "p", "k", max_length=3), "abcd", "p.k: at most 3 characters, got 4"),
        (
            lambda r, d: r.boolean(d, "p", "k", default=False),
            "yes",
            "p.k: expected true or false, got a string",
        ),
        (lambda r, d: r.integer(d, "p", "k", low=1, high=10), 11, "p.k: must be between 1 and 10, got 11"),
        (lambda r, d: r.integer(d, "p", "k"), True, "p.k: expected a whole number, got true/false"),
        (
            lambda r, d: r.choice(d, "p", "k", ("a", "b"), "letter"),
            "c",
            "p.k: unknown letter 'c' (expected one of: a, b)",
        ),
        (lambda r, d: r.uuid_value(d, "p", "k"), "x", "p.k: not a UUID: 'x'"),
        (
            lambda r, d: r.url(d, "p", "k"),
            "ftp://contoso.com",
            "p.k: not an http(s) URL: 'ftp://contoso.com'",
        ),
    ],
)
def test_a_bad_value_gives_one_line(read, value, expected):
    reader = FieldReader(now=NOW)
    assert read(reader, {"k": value}) is None
    assert reader.errors == [expected]


def test_an_unknown_field_is_reported_and_the_mapping_read_on():
    reader = FieldReader(now=NOW)
    assert reader.mapping({"a": 1, "b": 2}, "p", ("a",)) == {"a": 1, "b": 2}
    assert reader.errors == ["p.b: unknown field (expected one of: a)"]


def test_a_list_that_is_not_a_list():
    reader = FieldReader(now=NOW)
    assert reader.items({"k": "x"}, "p", "k") == []
    assert reader.errors == ["p.k: expected a list, got a string"]


def test_a_missing_required_value():
    reader = FieldReader(now=NOW)
    assert reader.text({}, "p", "k", required=True) is None
    assert reader.errors == ["p.k: required"]
