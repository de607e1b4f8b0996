"""``servicerequests.selectors.support_topic_get``: the process's copy of the support topic table."""

from __future__ import annotations

import pytest

from servicerequests import selectors
from servicerequests.models import SupportTopic
from servicerequests.selectors import support_topic_get, support_topics_forget

pytestmark = pytest.mark.django_db

EXCHANGE = 32444611


@pytest.fixture(autouse=True)
def fresh_copy():
    support_topics_forget()
    yield
    support_topics_forget()


def test_a_topic_is_the_stored_row_and_later_reads_run_no_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        topic = support_topic_get(EXCHANGE)
    stored = SupportTopic.objects.get(pk=EXCHANGE)
    assert (topic.pk, topic.workload, topic.name, topic.description) == (
        stored.pk,
        stored.workload,
        stored.name,
        stored.description,
    )
    assert topic == stored
    with django_assert_num_queries(0):
        assert support_topic_get(EXCHANGE).name == "Exchange Online"
        assert support_topic_get(1) is None
        assert support_topic_get(-EXCHANGE) is None
        assert support_topic_get(2**40) is None


def test_an_edit_or_a_deletion_in_this_process_is_seen_at_once():
    assert support_topic_get(EXCHANGE).name == "Exchange Online"
    topic = SupportTopic.objects.get(pk=EXCHANGE)
    topic.name = "Exchange Online (mail flow)"
    topic.save()
    assert support_topic_get(EXCHANGE).name == "Exchange Online (mail flow)"
    added = SupportTopic.objects.create(id=32444699, workload="m365", name="Viva", description="")
    assert support_topic_get(32444699).workload == "m365"
    added.delete()
    assert support_topic_get(32444699) is None


def test_the_copy_is_read_again_after_its_lifetime(monkeypatch, django_assert_num_queries):
    support_topic_get(EXCHANGE)
    SupportTopic.objects.filter(pk=EXCHANGE).update(name="Changed elsewhere")  # no signal: another process
    assert support_topic_get(EXCHANGE).name == "Exchange Online"
    clock = selectors.time.monotonic() + selectors.SUPPORT_TOPICS_CACHE_SECONDS + 1
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock)
    with django_assert_num_queries(1):
        assert support_topic_get(EXCHANGE).name == "Changed elsewhere"
