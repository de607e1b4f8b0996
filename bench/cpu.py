"""Server-side CPU: what the web tier and its PostgreSQL backends spend, read from ``/proc`` (Linux).

The load generator shares the machine's cores with the server, so a throughput ratio measures the
whole machine; the CPU the server spends per request does not include the client's. A snapshot is
the CPU seconds (user + system) of the gunicorn master and its workers, plus those of every
PostgreSQL backend connected to the bench database (found in ``pg_stat_activity``), minus nothing:
the bench's own connection is excluded. Backends that end between two snapshots take their CPU
with them; the web workers keep their connections (``CONN_MAX_AGE``), so within a phase they don't.
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.memory import children_of

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process; 0.0 when it is gone."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rfind(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15 of stat)


def backend_pids() -> list[int]:
    """The PostgreSQL backends connected to this database, except this process's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


class ServerCpu:
    """CPU seconds of a gunicorn master, its workers and the database's backends (``snapshot``)."""

    def __init__(self, web_pid: int, *, extra_pids: tuple[int, ...] = ()):
        self.web_pid = web_pid
        self.extra_pids = extra_pids

    def by_pid(self) -> dict[int, float]:
        pids = [self.web_pid, *children_of(self.web_pid), *self.extra_pids, *backend_pids()]
        return {pid: process_cpu_seconds(pid) for pid in pids}

    def snapshot(self) -> dict[int, float]:
        return self.by_pid()

    @staticmethod
    def spent(before: dict[int, float], after: dict[int, float]) -> float:
        """CPU seconds spent between two snapshots by the processes alive at both."""
        return sum(max(0.0, after[pid] - before[pid]) for pid in after if pid in before)
