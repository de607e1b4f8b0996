"""The queues' sidebar: one link per queue the actor sees, and "Hand-offs from resellers" where it
applies, each with its maintained count, prepared once per page as escaped HTML.

Instead of ``{% url %}``, ``{% blocktranslate %}``, ``time`` and ``intcomma`` per queue in the
template, the URL is reversed, the words translated and the number format looked up once per page,
and each entry is one string format, every value escaped (``rows.escape_text``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from django.urls import reverse
from django.utils import numberformat, timezone
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from servicerequests.models import QueueCount

from .definitions import HANDOFF_QUEUE_KEY, HANDOFF_QUEUE_NAME, QueueDefinition
from .rows import escape_text

#: One entry, as the template wrote it (the same attributes, the same ``data-testid``\s).
_ENTRY = (
    "<li>\n"
    '      <a href="{href}"{current} data-queue="{key}">\n'
    '        <span class="queue-name">{name}</span>\n'
    '        <span class="queue-count" data-testid="queue-count" title="{title}">{count}</span>\n'
    "      </a>\n"
    "    </li>"
)
_CURRENT = ' aria-current="page"'
#: What the count shows before the queue was first counted.
NOT_COUNTED = "–"
# A slug (``queue_detail`` takes ``<slug:key>``) that no queue key is.
_KEY_SLOT = "queue-key-slot-0"


def queue_url_parts() -> tuple[str, str]:
    """A queue's URL around its key, reversed once per page instead of once per queue."""
    head, _slot, tail = reverse("queue_detail", args=[_KEY_SLOT]).rpartition(_KEY_SLOT)
    return head, tail


@dataclass(frozen=True)
class SidebarWords:
    """What every entry of a page shares, looked up once per page: the titles' words in the active
    language (the template's msgids), its number format, and the current time zone."""

    as_of: str
    not_counted: str
    decimal_separator: str
    grouping: int | tuple[int, ...]
    thousand_separator: str
    time_zone: tzinfo


def sidebar_words() -> SidebarWords:
    """The sidebar's words and formats in the active language and time zone."""
    language = get_language()
    return SidebarWords(
        as_of=_("as of %(time)s UTC"),
        not_counted=_("not counted yet"),
        decimal_separator=get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
        grouping=get_format("NUMBER_GROUPING", language, use_l10n=True),
        thousand_separator=get_format("THOUSAND_SEPARATOR", language, use_l10n=True),
        time_zone=timezone.get_current_timezone(),
    )


def count_text(count: int, words: SidebarWords) -> str:
    """``count`` as ``humanize``'s ``intcomma`` writes it (``number_format`` with
    ``force_grouping``, the separators of ``words``): "1,234" in English, "1.234" in Portuguese."""
    return numberformat.format(
        count,
        words.decimal_separator,
        None,
        words.grouping,
        words.thousand_separator,
        force_grouping=True,
        use_l10n=True,
    )


def count_time(refreshed_at: datetime, words: SidebarWords) -> str:
    """``refreshed_at`` as the template's ``time:'H:i:s'`` filter writes it: an aware time in the
    time zone of ``words`` (UTC: the portal activates no other), hours 00–23, minutes, seconds."""
    if timezone.is_aware(refreshed_at):
        refreshed_at = refreshed_at.astimezone(words.time_zone)
    return refreshed_at.strftime("%H:%M:%S")


@dataclass(frozen=True)
class SidebarEntry:
    """One link of the sidebar. ``name``, ``count`` and ``title`` are plain text in the active
    language (``count`` is :data:`NOT_COUNTED` before the first count); ``html`` is the whole
    ``<li>`` with every value escaped, ready to print."""

    key: str
    href: str
    name: str
    count: str
    title: str
    current: bool
    html: SafeString = field(repr=False, compare=False)


def _entry(
    key: str, href: str, name, count: QueueCount | None, *, current: bool, words: SidebarWords
) -> SidebarEntry:
    name = str(name)
    if count is None:
        text, title = NOT_COUNTED, words.not_counted
    else:
        text = count_text(count.count, words)
        title = words.as_of % {"time": count_time(count.refreshed_at, words)}
    markup = _ENTRY.format(
        href=escape_text(href),
        current=_CURRENT if current else "",
        key=escape_text(key),
        name=escape_text(name),
        title=escape_text(title),
        count=escape_text(text),
    )
    return SidebarEntry(
        key=key,
        href=href,
        name=name,
        count=text,
        title=title,
        current=current,
        html=mark_safe(markup),  # noqa: S308 - every interpolated value is escaped above
    )


def sidebar_entries(
    queues: Iterable[QueueDefinition],
    counts: Mapping[str, QueueCount],
    *,
    current_key: str | None = None,
    handoff_listed: bool = False,
    handoff_current: bool = False,
) -> list[SidebarEntry]:
    """The sidebar's entries in the active language: ``queues`` in their order, each with its
    count from ``counts`` (by queue key; absent means not counted yet), the one keyed
    ``current_key`` marked current; then, when ``handoff_listed``, "Hand-offs from resellers"
    with ``counts[HANDOFF_QUEUE_KEY]``, marked current when ``handoff_current``.

    The queue URL is reversed and the titles' words translated once per call, with the msgids the
    template used ("as of %(time)s UTC", "not counted yet"), so the catalogues apply unchanged."""
    words = sidebar_words()
    head, tail = queue_url_parts()
    entries = [
        _entry(
            q.key,
            f"{head}{q.key}{tail}",
            q.name,
            counts.get(q.key),
            current=q.key == current_key,
            words=words,
        )
        for q in queues
    ]
    if handoff_listed:
        entries.append(
            _entry(
                HANDOFF_QUEUE_KEY,
                reverse("queue_handoffs"),
                HANDOFF_QUEUE_NAME,
                counts.get(HANDOFF_QUEUE_KEY),
                current=handoff_current,
                words=words,
            )
        )
    return entries
