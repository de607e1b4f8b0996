"""Template filters of the product's English: ``{% load portal_text %}``.

- ``{{ customer.name|possessive }}``: "Fabrikam's", "Tailwind Traders'".
"""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def possessive(name) -> str:
    """The possessive of a name, as ``core.text.possessive`` writes it: the name escaped, the
    apostrophe kept as typed."""
    name = str(name)
    return format_html("{}'", name) if name.endswith("s") else format_html("{}'s", name)


@register.simple_tag
def html_lang() -> str:
    """The active language as HTML's ``lang`` attribute wants it (``pt-BR``)."""
    from django.utils import translation

    from core.i18n import bcp47

    return bcp47(translation.get_language() or "en")


@register.simple_tag
def portal_languages() -> list[tuple[str, str]]:
    """``(code, name)`` of the portal's languages, each name in its own language (never translated:
    a reader looks for their language by its own name)."""
    from core.i18n import language_names

    return language_names()
