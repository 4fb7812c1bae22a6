"""Keep workers alive when the broker drops while a task runs (kombu 5.7.0).

When the broker connection drops while a late-acknowledged task runs, Celery 5.7
collects the connection's transport and then closes the connection. Closing its channel
(to put the unacknowledged task back) and, later, acknowledging the task on that channel
both ask the transport for a new Redis client, and kombu's ``Channel._connparams`` reads
the host from the connection the collect just cleared: ``AttributeError: 'NoneType'
object has no attribute 'hostname'``. Celery takes that for an unrecoverable error and
the worker exits (reproduced with a prefork worker and a killed Redis, see README,
"Failure modes").

Raising a Redis ``ConnectionError`` there instead lets Celery handle it as the broker
loss it is: it logs "Couldn't ack" and reconnects. The task's message stays unacknowledged
and Redis hands it out again after the visibility timeout; tasks are idempotent.
"""

import functools

from kombu.transport import redis as kombu_redis


def broker_closed_connection_patch() -> None:
    """Make kombu's Redis channel raise a connection error once its connection is closed."""
    channel = kombu_redis.Channel
    if getattr(channel._connparams, "closed_connection_patched", False):
        return
    original = channel._connparams

    @functools.wraps(original)
    def _connparams(self, asynchronous=False):
        if self.connection is None or self.connection.client is None:
            raise kombu_redis.redis.exceptions.ConnectionError(
                "The broker connection of this channel was closed."
            )
        return original(self, asynchronous=asynchronous)

    _connparams.closed_connection_patched = True
    channel._connparams = _connparams
