"""The broker is kombu's own Redis transport: what the app publishes reaches a consumer."""

import os
import uuid

import pytest
from kombu import Exchange, Queue
from kombu.transport import redis as kombu_redis

from tests.conftest import require


@pytest.fixture
def app(settings):
    from partnercenter.celery import app

    url = os.environ.get("REDIS_URL", "")
    require(bool(url), "this test needs Redis: set REDIS_URL")
    previous = app.conf.broker_url
    app.conf.broker_url = url
    yield app
    app.conf.broker_url = previous


@pytest.mark.redis
def test_the_app_publishes_through_kombus_redis_transport(app):
    name = f"test-broker-{uuid.uuid4().hex[:8]}"
    queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
    with app.connection_for_write() as connection:
        assert type(connection.transport) is kombu_redis.Transport
        channel = connection.default_channel
        queue(channel).declare()
        try:
            producer = connection.Producer(channel)
            for n in range(3):
                producer.publish({"n": n}, exchange=queue.exchange, routing_key=queue.routing_key)
            received = []
            with connection.Consumer(
                queue, callbacks=[lambda body, message: (received.append(body), message.ack())]
            ):
                while len(received) < 3:
                    connection.drain_events(timeout=5)
            assert received == [{"n": 0}, {"n": 1}, {"n": 2}]
        finally:
            queue(channel).delete()
