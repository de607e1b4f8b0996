"""The queues' sidebar entries (``queues.sidebar``): counts and titles as the template's ``intcomma``,
``time`` and ``blocktranslate`` wrote them in each language, the current queue, the hand-off queue,
and every value escaped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import time as time_filter
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import template_localtime

from queues.definitions import BUILTIN_BY_KEY, HANDOFF_QUEUE_KEY, QueueDefinition, QueueFilters
from queues.sidebar import NOT_COUNTED, sidebar_entries
from servicerequests.models import QueueCount

AT = datetime(2026, 12, 5, 9, 7, 3, tzinfo=UTC)
QUEUES = [BUILTIN_BY_KEY["unassigned"], BUILTIN_BY_KEY["mine"]]


def _count(n: int, at: datetime = AT) -> QueueCount:
    return QueueCount(queue_key="x", count=n, refreshed_at=at)


def _entry(n: int, language: str):
    with translation.override(language):
        return sidebar_entries(QUEUES[:1], {"unassigned": _count(n)})[0]


@pytest.mark.parametrize("language", ["en", "pt-br", "pt-pt"])
@pytest.mark.parametrize("n", [0, 7, 999, 1234, 1234567, 1000000000])
def test_a_count_is_written_as_intcomma_writes_it_in_each_language(language, n):
    entry = _entry(n, language)
    with translation.override(language):
        assert entry.count == intcomma(n)
    assert f">{entry.count}</span>" in entry.html


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", ["0", "999", "1,234", "1,234,567"]), ("pt-br", ["0", "999", "1.234", "1.234.567"])],
)
def test_counts_group_thousands_with_the_languages_separator(language, expected):
    assert [_entry(n, language).count for n in (0, 999, 1234, 1234567)] == expected


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "as of 09:07:03 UTC"), ("pt-br", "às 09:07:03 UTC"), ("pt-pt", "às 09:07:03 UTC")],
)
def test_the_title_is_the_catalogues_as_of_sentence_with_the_time_filters_time(language, title):
    entry = _entry(5, language)
    assert entry.title == title
    assert time_filter(template_localtime(AT), "H:i:s") in entry.title
    assert f'title="{title}"' in entry.html


def test_the_time_is_the_hour_of_the_day_on_a_24_hour_clock():
    with translation.override("en"):
        entry = sidebar_entries(
            QUEUES[:1], {"unassigned": _count(1, datetime(2026, 12, 5, 23, 0, 9, tzinfo=UTC))}
        )[0]
    assert entry.title == "as of 23:00:09 UTC"


@pytest.mark.parametrize(("language", "title"), [("en", "not counted yet"), ("pt-br", "ainda não contada")])
def test_a_queue_not_counted_yet_says_so(language, title):
    with translation.override(language):
        (entry,) = sidebar_entries(QUEUES[:1], {})
    assert (entry.count, entry.title) == (NOT_COUNTED, title)
    assert f'title="{title}">–</span>' in entry.html


def test_entries_follow_the_queues_order_and_mark_the_current_one():
    counts = {"unassigned": _count(3), "mine": _count(1)}
    with translation.override("pt-br"):
        entries = sidebar_entries(QUEUES, counts, current_key="mine")
    assert [(e.key, e.href, e.name, e.current) for e in entries] == [
        ("unassigned", reverse("queue_detail", args=["unassigned"]), "Não atribuídas", False),
        ("mine", reverse("queue_detail", args=["mine"]), "Minhas solicitações", True),
    ]
    assert 'aria-current="page"' not in entries[0].html
    mine = reverse("queue_detail", args=["mine"])
    assert f'<a href="{mine}" aria-current="page" data-queue="mine">' in entries[1].html


def test_no_entry_is_current_without_a_current_key():
    assert not any(e.current for e in sidebar_entries(QUEUES, {}))


def test_the_handoff_queue_comes_last_only_when_listed():
    counts = {"unassigned": _count(3), HANDOFF_QUEUE_KEY: _count(1234)}
    assert [e.key for e in sidebar_entries(QUEUES, counts)] == ["unassigned", "mine"]
    with translation.override("pt-br"):
        entries = sidebar_entries(
            QUEUES, counts, current_key="mine", handoff_listed=True, handoff_current=True
        )
    handoffs = entries[-1]
    assert (handoffs.key, handoffs.href, handoffs.name, handoffs.count, handoffs.current) == (
        HANDOFF_QUEUE_KEY,
        reverse("queue_handoffs"),
        "Transferências de revendedores",
        "1.234",
        True,
    )
    assert (
        f'<a href="{reverse("queue_handoffs")}" aria-current="page" data-queue="handoffs">' in handoffs.html
    )


def test_a_saved_queues_name_is_escaped():
    saved = QueueDefinition("saved-9", '<script>alert("x")</script> & Co', QueueFilters(), "-created")
    (entry,) = sidebar_entries([saved], {"saved-9": _count(2)}, current_key="saved-9")
    assert entry.name == '<script>alert("x")</script> & Co'
    assert "<script>" not in entry.html
    assert (
        '<span class="queue-name">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co</span>'
        in entry.html
    )
