"""A pseudo-locale for tests: every translated string wrapped in markers, so that text a page shows
outside markers is text nobody marked for translation.

``pseudo_catalogue(folder)`` writes ``<folder>/qps_Ploc/LC_MESSAGES/django.mo`` whose every entry
is its msgid between ``⟦`` and ``⟧``: the msgids of our catalogues (``*/locale/pt_BR``), and
Django's and Django REST framework's own (their ``en`` catalogues), so that a form error or a month
name of a date counts as translated. ``untranslated_text(html, vocabulary)`` returns the visible
text of a page left once marked segments, data from the database (``vocabulary``), product names,
rule ids, numbers, addresses and punctuation are taken out.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import django
import polib
import rest_framework
from django.conf import settings
from django.utils.translation import to_locale

PSEUDO_LANGUAGE = "qps-ploc"
OPEN, CLOSE = "⟦", "⟧"
#: Names that stay in English in every language (docs/i18n.md): products, standards, our brand.
PRODUCT_WORDS = frozenset(
    {
        *("Partner", "Center", "Microsoft", "Azure", "Entra", "Dynamics", "Graph", "Intune"),
        *("Office", "Exchange", "SharePoint", "Teams", "Outlook", "Windows", "OneDrive"),
        *("Defender", "Purview", "Copilot", "EMS", "CSP", "GDAP", "SLA", "API", "REST", "OAuth"),
        *("OpenAPI", "JSON", "CSV", "HTTP", "HTTPS", "URL", "ID", "UTC", "GCC", "DoD"),
    }
)
PATTERNS_OF_DATA = [
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # e-mail addresses
    re.compile(r"https?://\S+|/[\w./?=&%-]+"),  # addresses and paths
    re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I),  # ids
    re.compile(r"\b[A-Z][A-Z0-9]+(?:-[A-Z0-9]+)+\b"),  # rule ids, e.g. SR-CONTACT-IS-PARTNER
    re.compile(r"\b\w*\d\w*\b"),  # anything with a digit: numbers, dates, ids
]
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "aria-description")
SKIPPED_ELEMENTS = {"script", "style", "svg"}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


def _source_catalogues() -> list[Path]:
    root = Path(settings.BASE_DIR)
    ours = [
        po
        for po in root.glob("**/locale/pt_BR/LC_MESSAGES/django.po")
        if ".venv" not in po.parts and "staticfiles" not in po.parts
    ]
    django_root = Path(django.__file__).parent
    theirs = [django_root / "conf/locale/en/LC_MESSAGES/django.po"]
    theirs += sorted(django_root.glob("contrib/*/locale/en/LC_MESSAGES/django.po"))
    theirs.append(Path(rest_framework.__file__).parent / "locale/en/LC_MESSAGES/django.po")
    return ours + [po for po in theirs if po.exists()]


def _wrap(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}" if text else text


def pseudo_catalogue(folder: Path) -> Path:
    """Writes the pseudo-locale's compiled catalogue under ``folder``; returns ``folder``."""
    out = polib.POFile()
    out.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": to_locale(PSEUDO_LANGUAGE),
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    seen: set[tuple[str | None, str]] = set()
    for source in _source_catalogues():
        for entry in polib.pofile(str(source)):
            key = (entry.msgctxt, entry.msgid)
            if not entry.msgid or key in seen or entry.obsolete:
                continue
            seen.add(key)
            pseudo = polib.POEntry(msgctxt=entry.msgctxt, msgid=entry.msgid)
            if entry.msgid_plural:
                pseudo.msgid_plural = entry.msgid_plural
                pseudo.msgstr_plural = {0: _wrap(entry.msgid), 1: _wrap(entry.msgid_plural)}
            else:
                pseudo.msgstr = _wrap(entry.msgid)
            out.append(pseudo)
    target = folder / to_locale(PSEUDO_LANGUAGE) / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    out.save_as_mofile(str(target / "django.mo"))
    return folder


class VisibleText(HTMLParser):
    """The text a person sees or hears on a page: text nodes (the title included) outside
    scripts and styles, and the attributes read out or shown (title, placeholder, labels, alt,
    and the value of input buttons). An element marked ``translate="no"`` (HTML's attribute for
    text that stays as written, e.g. the language switcher's names) is left out with its
    content."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        left_out = self._skipping or tag in SKIPPED_ELEMENTS or a.get("translate") == "no"
        if left_out:
            if tag not in VOID_ELEMENTS:
                self._skipping.append(tag)
            return
        self.parts += [a[name] for name in VISIBLE_ATTRIBUTES if a.get(name)]
        if tag == "input" and (a.get("type") or "").lower() in {"submit", "button", "reset"}:
            self.parts.append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag in self._skipping:
            while self._skipping and self._skipping.pop() != tag:
                pass

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.parts.append(data)


def strip_marked(text: str) -> str:
    """``text`` without its marked segments (innermost first, so nesting is handled)."""
    pattern = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
    while True:
        stripped = pattern.sub(" ", text)
        if stripped == text:
            return stripped
        text = stripped


def untranslated_text(html: str, vocabulary: frozenset[str]) -> list[str]:
    """The fragments of ``html``'s visible text that hold a word nobody marked for translation
    (each fragment stripped; words of ``vocabulary``, products and data patterns allowed)."""
    parser = VisibleText()
    parser.feed(html)
    found = []
    # A marked sentence may hold elements (a link, <strong>, <time>): strip markers across parts.
    joined = strip_marked("\x00".join(parser.parts))
    for part in joined.split("\x00"):
        rest = part
        for pattern in PATTERNS_OF_DATA:
            rest = pattern.sub(" ", rest)
        words = [w for w in WORD.findall(rest) if w not in PRODUCT_WORDS and w.lower() not in vocabulary]
        if words:
            found.append(" ".join(part.split())[:120])
    return found


def data_vocabulary(strings) -> frozenset[str]:
    """Every word (lower case) of ``strings``: the data of the database, which no catalogue holds."""
    words: set[str] = set()
    for value in strings:
        if isinstance(value, str):
            words.update(w.lower() for w in WORD.findall(value))
    return frozenset(words)
