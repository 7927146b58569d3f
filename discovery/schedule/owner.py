"""Which process owns a running run, and whether it is still alive.

A run is marked running with its process id and that process's start time, so a run
left behind by a killed scheduler is recognised as abandoned even after its PID has
been reused by another process. The state file is local: processes of this machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Owner:
    pid: int
    started: str | None  # start time in clock ticks since boot (Linux /proc), else None

    @classmethod
    def current(cls) -> Owner:
        return cls.of(os.getpid())

    @classmethod
    def of(cls, pid: int) -> Owner:
        stat = _stat(pid)
        return cls(pid, stat[19] if stat else None)

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # exists, but belongs to another user
        stat = _stat(self.pid)
        if stat is None:
            return True  # no /proc here: the signal check is all we have
        if stat[0] in ("Z", "X"):  # exited, not yet reaped by its parent
            return False
        return self.started is None or stat[19] == self.started


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state first; starttime is 20th)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    return fields if len(fields) > 19 else None
