"""The product's English: possessives of names (``core.text``, the ``possessive`` template filter)."""

import pytest
from django.template import Context, Template

from core.text import possessive


@pytest.mark.parametrize(
    ("name", "expected"), [("Fabrikam", "Fabrikam's"), ("Tailwind Traders", "Tailwind Traders'")]
)
def test_possessive(name, expected):
    assert possessive(name) == expected
    rendered = Template("{% load portal_text %}{{ name|possessive }}").render(Context({"name": name}))
    assert rendered == expected


def test_the_filter_escapes_the_name():
    rendered = Template("{% load portal_text %}{{ name|possessive }}").render(
        Context({"name": "<b>Evil</b>"})
    )
    assert rendered == "&lt;b&gt;Evil&lt;/b&gt;'s"
