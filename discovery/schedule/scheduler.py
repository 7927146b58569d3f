"""The scheduler: fires schedules on time, one thread per run, never two runs of one schedule.

`tick()` looks at every schedule once (one state transaction each) and starts what is
due; `run_forever()` ticks at every fire time until `stop` is set, then waits for the
runs in progress to finish (`abandon()` marks them abandoned instead, for a second
signal). Several schedules run at once, each with its own concurrency; their graph
writes take turns through `writer`. `run_now()` is the foreground run of one schedule.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from types import FrameType

from discovery.schedule.clock import Clock
from discovery.schedule.model import Decision, Job, JobResult, RunRow, RunTicket
from discovery.schedule.owner import Owner
from discovery.schedule.plan import FirePlan, plan_fires
from discovery.schedule.spec import ScheduleSpec
from discovery.schedule.state import StateStore
from discovery.schedule.view import local_time

log = logging.getLogger("cmdb.scheduler")

# A fire time is on time when the scheduler looks at most this late; older ones were
# missed (the scheduler was down, the machine asleep).
GRACE = timedelta(minutes=1)
# Look again at least this often: the wall clock may jump (NTP, suspend).
POLL = timedelta(minutes=1)


class Scheduler:
    def __init__(self, specs: Sequence[ScheduleSpec], state: StateStore, job: Job,
                 clock: Clock, grace: timedelta = GRACE, poll: timedelta = POLL) -> None:
        self.specs = tuple(specs)
        self.state, self.job, self.clock, self.grace = state, job, clock, grace
        self.poll = poll
        self.writer = threading.Lock()
        self.owner = Owner.current()
        self._threads: dict[int, threading.Thread] = {}
        self._lock = threading.Lock()

    def tick(self) -> list[Decision]:
        now = self.clock.now()
        return [self._look(spec, now) for spec in self.specs]

    def _look(self, spec: ScheduleSpec, now: datetime) -> Decision:
        def decide(watermark: datetime | None) -> FirePlan:
            # A schedule seen for the first time still gets a fire time of this minute.
            after = watermark if watermark is not None else now - self.grace
            return plan_fires(spec.cron, after, now, self.grace, spec.catch_up)

        decision = self.state.advance(spec.name, now, self.owner, decide)
        _report(spec, decision)
        if decision.run is not None:
            self._start(spec, decision.run)
        return decision

    def _start(self, spec: ScheduleSpec, run: RunRow) -> None:
        ticket = _ticket(run, self.writer, self.state)
        thread = threading.Thread(target=execute, name=f"schedule:{spec.name}",
                                  args=(spec, ticket, self.job, self.state, self.clock))
        with self._lock:
            self._threads[run.id] = thread
        thread.start()

    def next_wakeup(self, now: datetime) -> datetime:
        fires = [f for spec in self.specs if (f := spec.cron.next_after(now)) is not None]
        return min([*fires, now + self.poll])

    def run_forever(self, stop: threading.Event) -> None:
        log.info("scheduler started: %s", ", ".join(
            f"{s.name} ({s.cron.expr}, {s.timezone})" for s in self.specs) or "no schedules")
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # e.g. the state file locked for long: try again later
                log.error("could not look at the schedules", exc_info=True)
            now = self.clock.now()
            self.clock.wait(max(0.0, (self.next_wakeup(now) - now).total_seconds()), stop)
        if running := self.running():
            log.info("stopping: waiting for run(s) %s to finish (signal again to abandon)",
                     ", ".join(map(str, running)))
        self.join()
        log.info("scheduler stopped")

    def running(self) -> list[int]:
        """Ids of the runs this scheduler has going."""
        with self._lock:
            self._threads = {k: t for k, t in self._threads.items() if t.is_alive()}
            return sorted(self._threads)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the runs in progress; short joins, so signal handlers still run."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while ids := self.running():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            with self._lock:
                thread = self._threads.get(ids[0])
            if thread is not None:
                thread.join(0.2)
        return True

    def abandon(self, reason: str) -> list[int]:
        """Mark the runs in progress abandoned (their threads are left to the exit)."""
        ids = self.running()
        self.state.abandon(ids, self.clock.now(), reason)
        for run_id in ids:
            log.warning("run %d abandoned: %s", run_id, reason)
        return ids


def stop_on_signals(scheduler: Scheduler, stop: threading.Event, exit_code: int) -> None:
    """SIGTERM or SIGINT once: fire nothing new, let the runs in progress finish (their
    targets are bounded by the schedule's timeout). Twice: mark them abandoned in the
    state file and exit at once; the graph keeps nothing of them (a store writes a run in
    one transaction), and `cmdb runs` shows their store run as never finished."""

    def handle(signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if not stop.is_set():
            log.info("%s: stopping; fire nothing new", name)
            stop.set()
            return
        scheduler.abandon(f"the scheduler was stopped by a second {name} during the run")
        logging.shutdown()
        os._exit(exit_code)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, handle)


def run_now(spec: ScheduleSpec, state: StateStore, job: Job, clock: Clock) -> RunRow:
    """Run one schedule in the foreground; `ScheduleBusy` when a run of it is going."""
    run = state.claim_manual(spec.name, clock.now(), Owner.current())
    try:
        return execute(spec, _ticket(run, threading.Lock(), state), job, state, clock)
    except BaseException:  # Ctrl-C: say so rather than leave it "running"
        state.abandon([run.id], clock.now(), "interrupted")
        raise


def execute(spec: ScheduleSpec, ticket: RunTicket, job: Job, state: StateStore,
            clock: Clock) -> RunRow:
    """Run the job; whatever it raises becomes a failed run, never a dead scheduler."""
    fired = f" for {local_time(spec, ticket.fire_time)}" if ticket.fire_time else ""
    log.info("%s: run %d started (%s%s)", spec.name, ticket.run_id, ticket.trigger, fired)
    try:
        result = job(spec, ticket)
    except Exception as exc:  # a bug in the job: keep the traceback in the log
        log.error("%s: run %d failed unexpectedly", spec.name, ticket.run_id, exc_info=True)
        result = JobResult.failure(f"{type(exc).__name__}: {exc}")
    row = state.finish(ticket.run_id, result, clock.now())
    log.info("%s: run %d ended %s: %s/%s targets reached, store run %s%s", spec.name, row.id,
             row.outcome, row.reached, row.targets, row.store_run,
             f"; {row.detail}" if row.detail else "")
    return row


def _ticket(run: RunRow, writer: threading.Lock, state: StateStore) -> RunTicket:
    def link(store_run: int) -> None:
        state.link_store_run(run.id, store_run)

    return RunTicket(run.id, run.schedule, run.trigger, run.fire_time, writer, link)


def _report(spec: ScheduleSpec, decision: Decision) -> None:
    for run in decision.abandoned:
        log.warning("%s: run %d abandoned: %s", spec.name, run.id, run.detail)
    if (missed := decision.missed) is not None:
        caught = (f"; catching up with one run ({missed.caught_up_by})"
                  if missed.caught_up_by else "")
        log.warning("%s: missed %d%s fire time(s) from %s to %s while no scheduler was "
                    "running%s", spec.name, missed.count, "+" if missed.at_least else "",
                    local_time(spec, missed.first), local_time(spec, missed.last), caught)
    if (skip := decision.skip) is not None:
        log.warning("%s: skipped the run for %s: %s", spec.name, local_time(spec, skip.fire_time),
                    skip.reason)
