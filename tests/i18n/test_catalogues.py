"""The catalogues themselves: both Portuguese catalogues hold the same strings, and no translation
of a template's string names a placeholder its English string lacks (``{% blocktranslate %}``
fills only the English string's variables, and silently shows English when a translation asks for
another; Python code may pass more parameters than its English string uses, so its strings are
checked where they are formatted)."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|\{\{\s*(\w+)\s*\}\}")
ROOT = Path(settings.BASE_DIR)


def catalogues(code: str) -> list[Path]:
    return sorted(
        po
        for po in ROOT.glob(f"**/locale/{code}/LC_MESSAGES/django.po")
        if ".venv" not in po.parts and "staticfiles" not in po.parts
    )


def names(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


@pytest.mark.parametrize("code", ["pt_BR", "pt_PT"])
def test_no_template_translation_names_a_placeholder_its_english_lacks(code):
    wrong = []
    for po_path in catalogues(code):
        for entry in polib.pofile(str(po_path)).translated_entries():
            if not any(path.endswith((".html", ".txt")) for path, _line in entry.occurrences):
                continue
            english = names(entry.msgid) | names(entry.msgid_plural or "")
            translations = [entry.msgstr, *entry.msgstr_plural.values()]
            for text in filter(None, translations):
                extra = names(text) - english
                if extra:
                    wrong.append(f"{po_path.relative_to(ROOT)}: {entry.msgid!r} → {sorted(extra)}")
    assert wrong == []


def test_both_portuguese_catalogues_hold_the_same_strings():
    def keys(code):
        return {
            (po.parent.parent.parent.relative_to(ROOT), e.msgctxt, e.msgid)
            for po in catalogues(code)
            for e in polib.pofile(str(po))
        }

    assert catalogues("pt_BR"), "no catalogue found"
    assert keys("pt_BR") == keys("pt_PT")


def test_a_possessive_parameter_is_the_plain_name_outside_english():
    from django.utils import translation

    from servicerequests.eligibility.text import gettext_lazy

    text = gettext_lazy(
        "Choose one of %(customer_s)s active Azure subscriptions.",
        customer="Fabrikam",
        customer_s="Fabrikam's",
    )
    assert str(text) == "Choose one of Fabrikam's active Azure subscriptions."
    with translation.override("pt-br"):
        rendered = str(text)
    assert "Fabrikam's" not in rendered and "Fabrikam" in rendered
    assert rendered != str(text)
