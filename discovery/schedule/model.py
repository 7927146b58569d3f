"""The values the scheduler passes around: what a run is, how it ended, what was recorded.

The job itself (discover, store, audit) is injected by `cli.py` as a `Job`: this package
never imports the stores or the audit (DESIGN §3).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from discovery.schedule.spec import ScheduleSpec


class Trigger(StrEnum):
    CRON = "cron"  # fired on time by `cmdb scheduler run`
    CATCH_UP = "catch-up"  # one coalesced run for fire times missed while down
    MANUAL = "manual"  # `cmdb schedule run-now`


class Outcome(StrEnum):
    RUNNING = "running"
    OK = "ok"  # every selected target reached, everything stored (and audited)
    PARTIAL = "partial"  # stored, but some target or collector failed, or the audit did
    FAILED = "failed"  # nothing run: bad inventory, empty selection, store error, ...
    ABANDONED = "abandoned"  # the process stopped (or died) before the run ended


@dataclass(frozen=True)
class RunTicket:
    """What a job gets besides its schedule: which run it is, and how to report back."""

    run_id: int
    schedule: str
    trigger: Trigger
    fire_time: datetime | None
    # Runs of several schedules discover at once, but only one writes the graph at a time.
    writer: threading.Lock
    link_store_run: Callable[[int], None]  # call as soon as the store's run number is known


@dataclass(frozen=True)
class JobResult:
    outcome: Outcome
    targets: int = 0
    reached: int = 0
    failed: int = 0
    store_run: int | None = None
    audit_run: int | None = None
    detail: str | None = None

    @classmethod
    def failure(cls, detail: str) -> JobResult:
        return cls(Outcome.FAILED, detail=detail)


Job = Callable[["ScheduleSpec", RunTicket], JobResult]


@dataclass(frozen=True)
class RunRow:
    """One run of a schedule as the state file keeps it."""

    id: int
    schedule: str
    trigger: Trigger
    fire_time: datetime | None
    started_at: datetime
    finished_at: datetime | None
    outcome: Outcome
    pid: int
    store_run: int | None
    audit_run: int | None
    targets: int | None
    reached: int | None
    failed: int | None
    detail: str | None


@dataclass(frozen=True)
class SkipRow:
    """A fire time not run because the schedule's previous run was still going."""

    schedule: str
    fire_time: datetime
    at: datetime
    reason: str
    blocked_by: int | None


@dataclass(frozen=True)
class MissedRow:
    """Fire times that passed while no scheduler was running (never fired afterwards)."""

    id: int
    schedule: str
    first: datetime  # fire times, UTC
    last: datetime
    count: int
    at_least: bool  # more were missed than were counted
    noticed_at: datetime
    caught_up_by: int | None  # the coalesced catch-up run, with `catch_up: true`


@dataclass(frozen=True)
class Decision:
    """What one look at a schedule decided and recorded (one state transaction)."""

    schedule: str
    run: RunRow | None = None
    skip: SkipRow | None = None
    missed: MissedRow | None = None
    abandoned: tuple[RunRow, ...] = ()


@dataclass(frozen=True)
class ScheduleState:
    """What `cmdb schedule list` shows of one schedule."""

    last_run: RunRow | None
    running: RunRow | None
    skips: int
    missed: int
    last_skip: SkipRow | None
    last_missed: MissedRow | None
