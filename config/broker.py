"""The Redis transport for Celery, with one fix: a channel whose connection
was already collected fails with a *connection* error, not AttributeError.

Why (the "deaf worker" after a Redis restart, issue #10): when the worker
loses Redis while it holds messages it has not acknowledged yet (acks_late
tasks: the relay nudges and beat's tasks), Celery's consumer calls
``connection.collect()`` and then ``connection.close()``. The first restore
of the unacknowledged messages fails (Redis is down), so the channel is
closed a second time, after ``collect()`` has set the connection's client
to None, and kombu's ``Channel._connparams`` raises
``AttributeError: 'NoneType' object has no attribute 'hostname'``. That is
not one of the transport's connection errors, so ``ignore_errors`` lets it
through and Celery logs "Unrecoverable error" and shuts the worker down,
relay loop included, while the process lingers in its shutdown (an ack for a
task that finished meanwhile fails the same way when the hub closes). It
happens only when messages are unacknowledged at the moment Redis goes,
which a busy machine makes likely: hence "depends on luck or load".

As a connection error, Celery handles it as it handles the outage itself:
it reconnects, and the unacknowledged messages come back after the
visibility timeout (the relay does not need them: the rows are the truth).
Used through CELERY_BROKER_TRANSPORT.
"""

from __future__ import annotations

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous=False):
        if self.connection is None or self.connection.client is None:
            raise RedisConnectionError("the broker connection of this channel was already closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
