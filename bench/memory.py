"""Peak resident memory of processes, from ``/proc/<pid>/status`` (Linux).

``VmHWM`` is the high-water mark of the resident set since the process started; ``VmRSS`` the
resident set now. A gunicorn web worker is a child of the gunicorn master.
"""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")


def _status_kb(pid: int, key: str) -> int | None:
    try:
        text = (PROC / str(pid) / "status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return None


def children_of(pid: int) -> list[int]:
    """The pids of the direct children of ``pid``."""
    children = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (2nd field) is in parentheses and may hold spaces: split after it.
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[1]) == pid:
            children.append(int(entry.name))
    return sorted(children)


def process_memory(pid: int) -> dict | None:
    """``{"pid", "peak_rss_mb", "rss_mb"}`` of a live process; None when it is gone."""
    peak = _status_kb(pid, "VmHWM")
    rss = _status_kb(pid, "VmRSS")
    if peak is None or rss is None:
        return None
    return {"pid": pid, "peak_rss_mb": round(peak / 1024, 1), "rss_mb": round(rss / 1024, 1)}


def workers_memory(master_pid: int) -> dict:
    """The memory of every child (web worker) of a gunicorn master, and the largest peak."""
    workers = [m for m in (process_memory(pid) for pid in children_of(master_pid)) if m is not None]
    return {
        "workers": workers,
        "peak_rss_mb": max((w["peak_rss_mb"] for w in workers), default=None),
    }
