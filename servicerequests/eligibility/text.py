"""Sentences of the eligibility engine, translated when they are rendered, not when they are built.

A rule builds its message and remedy as :class:`Text`: an English msgid (the catalogue's key) and
its named parameters. ``str(text)`` renders it in the language active at that moment, so an outcome
built in one request and rendered in another (a cached or stored decision, the API's
``X-Locale``, a page in the user's language) speaks the reader's language. Parameters may be
plain values, other ``Text``, :class:`Joined` lists or Django lazy strings (choice labels). A
parameter ``<x>_s`` is the English possessive of parameter ``<x>``: outside English it renders as
``<x>``, so a translation uses ``%(<x>_s)s`` where it places the name.

:meth:`Text.as_json` / :func:`text_from_json` give the stored form (ids + params) that a recorded
decision keeps so that it can be rendered again in any language; a msgid that later disappears
from the catalogues still renders, in English.

The factories are named like Django's lazy functions so that ``makemessages`` extracts their
msgids: ``gettext_lazy(msgid, **params)``, ``ngettext_lazy(singular, plural, count, **params)``
(``count`` is also the ``%(count)s`` parameter), ``pgettext_lazy(context, msgid, **params)``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext, pgettext


@dataclass(frozen=True)
class Text:
    """A translatable sentence and its parameters (hashable, comparable, JSON-encodable)."""

    msgid: str
    params: tuple[tuple[str, Any], ...] = ()
    plural: str = ""
    count: int = 0
    context: str = ""

    def __str__(self) -> str:
        if self.plural:
            template = ngettext(self.msgid, self.plural, self.count)
        elif self.context:
            template = pgettext(self.context, self.msgid)
        else:
            template = gettext(self.msgid)
        if not self.params:
            return template
        values = {key: render(value) for key, value in self.params}
        if not (translation.get_language() or "en").startswith("en"):
            # ``<x>_s`` is the English possessive of ``<x>`` ("Fabrikam's"); other languages place
            # the name themselves ("as subscrições de Fabrikam"), so it renders as ``<x>``.
            values.update({k: values[k[:-2]] for k in values if k.endswith("_s") and k[:-2] in values})
        try:
            return template % values
        except (KeyError, ValueError, TypeError):
            # A translation naming a parameter the sentence doesn't have: the English sentence
            # rather than an error page (tests/i18n/test_api_locale.py checks the catalogues).
            return (self.plural if self.plural and self.count != 1 else self.msgid) % values

    def english(self) -> str:
        """The sentence in English, whatever the active language (what a record stores). Rendered
        once per process for each distinct text (the English sentences are fixed, and every filing
        records a dozen of them); a text with an unhashable parameter is rendered each time. The
        texts are looked up with English active, so that a lazy parameter hashes and compares as
        its English words (two labels one translation merges stay two texts)."""
        if translation.get_language() != "en":
            with translation.override("en"):
                return self.english()
        try:
            return _english(self)
        except TypeError:
            return str(self)

    def as_json(self) -> dict[str, Any]:
        """The stored form: msgid, plural and parameters (nested texts included)."""
        data: dict[str, Any] = {"msgid": self.msgid, "params": {k: _encode(v) for k, v in self.params}}
        if self.plural:
            data.update(plural=self.plural, count=self.count)
        if self.context:
            data["context"] = self.context
        return data


@dataclass(frozen=True)
class Joined:
    """Items rendered one by one, then joined with ``separator`` (a list inside a sentence)."""

    items: tuple[Any, ...]
    separator: str = ", "

    def __str__(self) -> str:
        return self.separator.join(render(item) for item in self.items)


#: The English rendering of the texts seen most recently (``Text.english``).
_english = functools.lru_cache(maxsize=4096)(Text.__str__)  # called with English active


def render(value: Any) -> str:
    """A parameter as text in the active language."""
    return str(value)


def gettext_lazy(msgid: str, /, **params: Any) -> Text:
    """``msgid`` with its parameters, translated when rendered."""
    return Text(msgid, _params(params))


def ngettext_lazy(singular: str, plural: str, count: int, /, **params: Any) -> Text:
    """The singular or plural form for ``count`` (also the ``count`` parameter), translated when rendered."""
    return Text(singular, _params({"count": count, **params}), plural=plural, count=count)


def pgettext_lazy(context: str, msgid: str, /, **params: Any) -> Text:
    """``msgid`` in ``context`` (one English word, two Portuguese ones), translated when rendered."""
    return Text(msgid, _params(params), context=context)


def joined(items: Iterable[Any], separator: str = ", ") -> Joined:
    return Joined(tuple(items), separator)


def _params(params: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


def _encode(value: Any) -> Any:
    if isinstance(value, Text):
        return {"text": value.as_json()}
    if isinstance(value, Joined):
        return {"joined": [_encode(item) for item in value.items], "separator": value.separator}
    if isinstance(value, Promise):
        # A lazy choice label: its English rendering is its msgid (the source language is English).
        with translation.override("en"):
            return {"text": {"msgid": str(value), "params": {}}}
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "text" in value:
        return text_from_json(value["text"])
    if isinstance(value, dict) and "joined" in value:
        return Joined(tuple(_decode(item) for item in value["joined"]), value.get("separator", ", "))
    return value


def text_from_json(data: Any) -> Text | str:
    """The :class:`Text` of :meth:`Text.as_json`; a plain string stays a string."""
    if not isinstance(data, dict) or "msgid" not in data:
        return "" if data is None else str(data)
    params = tuple(sorted((k, _decode(v)) for k, v in (data.get("params") or {}).items()))
    return Text(
        data["msgid"],
        params,
        plural=data.get("plural", ""),
        count=int(data.get("count", 0)),
        context=data.get("context", ""),
    )
