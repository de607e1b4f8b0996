"""Template filters of the product's English: ``{% load portal_text %}``.

- ``{{ customer.name|possessive }}``: "Fabrikam's", "Tailwind Traders'".
  In a language other than English the name alone (a translated sentence places it).
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.text import possessive_here

register = template.Library()


@register.filter
def possessive(name) -> str:
    """``core.text.possessive_here`` for templates: the name escaped, the apostrophe kept as typed
    ("Fabrikam's" in English, the name alone in another language)."""
    name = str(name)
    return format_html("{}{}", name, mark_safe(possessive_here(name)[len(name) :]))


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
