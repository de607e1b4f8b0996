"""``core.broker``: kombu's Redis transport, one publishing client per channel."""

import os
import uuid

import pytest
from kombu import Connection, Exchange, Queue

from core.broker import Channel, Transport
from tests.conftest import require


@pytest.fixture
def connection():
    url = os.environ.get("REDIS_URL", "")
    require(bool(url), "this test needs Redis: set REDIS_URL")
    with Connection(url, transport=Transport) as conn:
        yield conn


@pytest.fixture
def queue(connection):
    name = f"test-broker-{uuid.uuid4().hex[:8]}"
    queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
    queue(connection.default_channel).declare()
    yield queue
    queue(connection.default_channel).delete()


def test_the_channel_publishes_through_one_client(connection, queue):
    channel = connection.default_channel
    assert isinstance(channel, Channel)
    producer = connection.Producer(channel)
    clients = set()
    for n in range(3):
        with channel.conn_or_acquire() as client:
            clients.add(id(client))
        producer.publish({"n": n}, exchange=queue.exchange, routing_key=queue.routing_key)
    assert len(clients) == 1
    received = []
    with connection.Consumer(queue, callbacks=[lambda body, message: (received.append(body), message.ack())]):
        while len(received) < 3:
            connection.drain_events(timeout=5)
    assert received == [{"n": 0}, {"n": 1}, {"n": 2}]


def test_a_new_pool_gets_a_new_client(connection):
    channel = connection.default_channel
    with channel.conn_or_acquire() as first:
        pass
    channel._pool = None  # as when the channel reconnects
    with channel.conn_or_acquire() as second:
        pass
    assert second is not first
    assert second.connection_pool is channel.pool


def test_the_settings_use_it_for_a_redis_broker(settings):
    from partnercenter.celery import app

    if not settings.CELERY_BROKER_URL.startswith("redis://"):  # eager, in-memory: no Redis at all
        assert settings.CELERY_BROKER_TRANSPORT is None
        return
    assert settings.CELERY_BROKER_TRANSPORT == "core.broker:Transport"
    with app.connection_for_write() as conn:
        assert type(conn.transport) is Transport
        assert type(conn.default_channel) is Channel
