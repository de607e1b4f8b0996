"""The dispatch relay: the process that drains the outbox of filed service requests in batches.

Filing writes the request and its ``pending`` dispatch in one transaction and publishes nothing: on
PostgreSQL a trigger on the dispatch table sends ``NOTIFY servicerequests_dispatch`` when that
transaction commits (migration ``servicerequests.0010``), and every relay listening wakes up and
delivers what is due (``portals.batch.dispatch_drain``). Without a notification a relay still looks
every ``DISPATCH_RELAY_IDLE`` seconds, which also finds dispatches whose retry came due. Any number
of relays, on any number of hosts, may run: a batch claims its dispatches with ``FOR UPDATE SKIP
LOCKED``, so two relays never deliver the same one. If no relay runs, the dispatch sweeper
(``servicerequests.sweep_dispatches``, every 30 s) hands overdue dispatches to the Celery task.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import InterfaceError, OperationalError, close_old_connections, connection

from .batch import DEFAULT_BATCH, dispatch_drain

logger = logging.getLogger(__name__)

#: The channel the dispatch table's trigger notifies (migration ``servicerequests.0010``).
CHANNEL = "servicerequests_dispatch"


class DispatchRelay:
    """Drain, then wait for a notification (or ``idle`` seconds), until ``stop`` is set."""

    def __init__(self, *, idle: float = 1.0, batch: int = DEFAULT_BATCH, stop: threading.Event | None = None):
        self.idle = idle
        self.batch = batch
        self.stop = stop or threading.Event()
        self._listening_on = None
        self.delivered = 0
        self.emails_sent = 0

    def _listen(self) -> None:
        """LISTEN on the connection in use (again after a reconnect); PostgreSQL only."""
        connection.ensure_connection()
        if connection.vendor != "postgresql" or connection.connection is self._listening_on:
            return
        with connection.cursor() as cursor:
            cursor.execute(f"LISTEN {CHANNEL}")
        self._listening_on = connection.connection

    def _wait(self) -> None:
        if self._listening_on is None:
            self.stop.wait(self.idle)
            return
        for _notify in self._listening_on.notifies(timeout=self.idle, stop_after=1):
            pass

    def run_once(self) -> int:
        """One drain of everything due; returns how many dispatches were delivered."""
        close_old_connections()
        self._listen()
        result = dispatch_drain(limit=self.batch)
        self.delivered += result.delivered
        self.emails_sent += result.emails_sent
        return result.delivered

    def run(self) -> None:
        """Drain and wait until ``stop`` is set; a lost database connection is reopened after a pause."""
        while not self.stop.is_set():
            try:
                self.run_once()
                if not self.stop.is_set():
                    self._wait()
            except (OperationalError, InterfaceError) as exc:
                logger.warning("dispatch relay lost its database connection (%s); reconnecting", exc)
                self._listening_on = None
                connection.close()
                time.sleep(min(self.idle, 1.0))
