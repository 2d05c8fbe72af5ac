"""config/broker.py: a Redis channel used after its connection was
collected fails with a connection error, which Celery recovers from (it
reconnects), instead of AttributeError, which shut the worker down."""

from __future__ import annotations

import pytest
from django.conf import settings
from kombu import Connection

from config.broker import Channel, Transport


def test_the_worker_uses_the_fixed_transport():
    from config.celery_app import app

    assert settings.CELERY_BROKER_TRANSPORT == "config.broker:Transport"
    assert isinstance(app.connection_for_write().transport, Transport)


def test_a_channel_of_a_collected_connection_raises_a_connection_error():
    connection = Connection(settings.REDIS_URL, transport=Transport)
    channel = connection.default_channel
    assert isinstance(channel, Channel)
    transport = channel.connection
    try:
        # What Connection.collect() leaves behind for a channel that is
        # closed again afterwards (its transport's client is gone).
        transport.client = None
        with pytest.raises(tuple(Transport.connection_errors)):
            channel._connparams()
        channel.connection = None
        with pytest.raises(tuple(Transport.connection_errors)):
            channel._connparams()
    finally:
        channel.connection = transport
        transport.client = connection
        connection.release()
