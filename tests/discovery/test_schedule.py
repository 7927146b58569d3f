"""The scheduler on a fast fake clock: no overlap, skips recorded, restarts that report
what was missed and never fire a time twice, cron in a time zone across DST changes, and
config errors that name the field.

Runs "take" simulated time (`FakeClock.sleep`), so hours pass in milliseconds; what is
expected follows from the rules (a run blocks its own schedule until it ends; fire times
pass while down), never from the scheduler's own output.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from discovery.schedule import (
    GRACE,
    Cron,
    JobResult,
    Outcome,
    Owner,
    RunRow,
    RunTicket,
    ScheduleBusy,
    ScheduleConfigError,
    Scheduler,
    ScheduleSpec,
    StateStore,
    Trigger,
    parse_schedules,
    run_now,
    time_zone,
)

PARIS = ZoneInfo("Europe/Paris")
MINUTE = timedelta(minutes=1)


class FakeClock:
    """Simulated time. `wait()` jumps ahead, but first lets every run that sleeps on this
    clock wake at its own simulated end, and waits (really, briefly) until each run is
    either asleep again or finished, so that runs end exactly at their simulated times."""

    def __init__(self, start: datetime, end: datetime) -> None:
        self._now, self.end = start, end
        self._lock = threading.Lock()
        self._sleepers: list[tuple[datetime, threading.Event]] = []
        self.scheduler: Scheduler | None = None

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        woken = threading.Event()
        with self._lock:
            self._sleepers.append((self._now + timedelta(seconds=seconds), woken))
        assert woken.wait(30), "the fake clock never reached this run's end"

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        target = self.now() + timedelta(seconds=seconds)
        stopping = target > self.end  # then let every run end before stopping
        while True:
            self._settle()
            with self._lock:
                wakes = sorted(w for w, _ in self._sleepers)
                if wakes and (stopping or wakes[0] <= target):
                    self._advance(wakes[0])
                    continue
                if stopping:
                    stop.set()
                    return True
                self._now = target
                return False

    def _advance(self, moment: datetime) -> None:
        self._now = max(self._now, moment)
        for entry in [e for e in self._sleepers if e[0] <= self._now]:
            self._sleepers.remove(entry)
            entry[1].set()

    def _settle(self) -> None:
        assert self.scheduler is not None
        deadline = time.monotonic() + 30
        while len(self.scheduler.running()) > len(self._sleepers):
            assert time.monotonic() < deadline, "a run neither slept nor ended"
            time.sleep(0.001)


def specs(tmp_path: Path, **schedules: dict[str, Any]) -> tuple[ScheduleSpec, ...]:
    raw = {name: {"inventory": "hosts.yaml", **s} for name, s in schedules.items()}
    return parse_schedules(raw, tmp_path)


def sleeping_job(clock: FakeClock, minutes: dict[str, float]
                 ) -> Callable[[ScheduleSpec, RunTicket], JobResult]:
    def job(spec: ScheduleSpec, ticket: RunTicket) -> JobResult:
        clock.sleep(minutes[spec.name] * 60)
        return JobResult(Outcome.OK, targets=1, reached=1)
    return job


def run_scheduler(state: StateStore, schedules: tuple[ScheduleSpec, ...], start: datetime,
                  end: datetime, minutes: dict[str, float]) -> Scheduler:
    clock = FakeClock(start, end)
    scheduler = Scheduler(schedules, state, sleeping_job(clock, minutes), clock)
    clock.scheduler = scheduler
    scheduler.run_forever(threading.Event())
    return scheduler


def all_runs(state: StateStore, name: str) -> list[RunRow]:
    return sorted(state.runs(name, 10_000), key=lambda r: r.started_at)


def minutes_in(start: datetime, end: datetime) -> list[datetime]:
    """Every whole minute in (start, end]: the fire times of `* * * * *`."""
    first = start.replace(second=0, microsecond=0) + MINUTE
    return [first + i * MINUTE for i in range(int((end - first) / MINUTE) + 1)]


@pytest.fixture
def state(tmp_path: Path) -> StateStore:
    return StateStore(tmp_path / "scheduler.sqlite")


# ---- overlap and skips --------------------------------------------------------------


def test_two_overlapping_schedules_never_overlap_themselves_and_record_skips(
        tmp_path: Path, state: StateStore) -> None:
    schedules = specs(tmp_path, every_minute={"cron": "* * * * *"},
                      every_two={"cron": "*/2 * * * *"})
    start = datetime(2026, 5, 4, 1, 59, 30, tzinfo=UTC)
    end = start + timedelta(minutes=20, seconds=30)
    # Runs longer than their period: each schedule must skip while its run goes on.
    run_scheduler(state, schedules, start, end, {"every_minute": 2.5, "every_two": 3.4})

    # A schedule seen for the first time also gets a fire time up to GRACE old.
    due = minutes_in(start - GRACE, end)
    for name, fires in (("every_minute", due),
                        ("every_two", [m for m in due if m.minute % 2 == 0])):
        runs, skips = all_runs(state, name), state.skips(name, 10_000)
        assert all(r.outcome is Outcome.OK and r.trigger is Trigger.CRON for r in runs)
        ran = [r.fire_time for r in runs if r.fire_time is not None]
        skipped = [s.fire_time for s in skips]
        # Every fire time was either run or skipped, once; none was lost or doubled.
        assert len(ran) == len(runs) and sorted(ran + skipped) == fires
        assert skipped, f"{name}: runs longer than the period must cause skips"
        for before, after in pairwise(runs):
            assert before.finished_at is not None and before.finished_at <= after.started_at
        by_id = {r.id: r for r in runs}
        for skip in skips:  # skipped exactly because its own previous run still went on
            blocker = by_id[skip.blocked_by or 0]
            assert blocker.finished_at is not None
            assert blocker.started_at <= skip.fire_time < blocker.finished_at
            assert f"run {blocker.id}" in skip.reason
        assert state.state(name).skips == len(skips)

    # ... while the two schedules did run at the same time.
    a, b = all_runs(state, "every_minute"), all_runs(state, "every_two")
    assert any(x.started_at < (y.finished_at or end) and y.started_at < (x.finished_at or end)
               for x in a for y in b)


# ---- restarts -----------------------------------------------------------------------


def test_a_restart_reports_missed_runs_and_fires_nothing_twice(
        tmp_path: Path, state: StateStore, caplog: pytest.LogCaptureFixture) -> None:
    schedules = specs(tmp_path, nightly={"cron": "* * * * *"})
    start = datetime(2026, 5, 4, 1, 59, 30, tzinfo=UTC)
    stopped = datetime(2026, 5, 4, 2, 10, tzinfo=UTC)
    run_scheduler(state, schedules, start, stopped, {"nightly": 0.2})
    before = all_runs(state, "nightly")
    assert [r.fire_time for r in before] == minutes_in(start - GRACE, stopped)

    # Down for almost three hours; back 30 s after a fire time (still on time for it).
    back = datetime(2026, 5, 4, 5, 0, 30, tzinfo=UTC)
    caplog.set_level(logging.INFO, logger="cmdb.scheduler")
    run_scheduler(state, schedules, back, back, {"nightly": 0.2})
    passed = minutes_in(stopped, back)  # 02:11 ... 05:00
    missed = state.missed("nightly")
    assert [(m.first, m.last, m.count) for m in missed] == [
        (passed[0], passed[-2], len(passed) - 1)]
    after = all_runs(state, "nightly")
    assert [r.fire_time for r in after[len(before):]] == [passed[-1]]
    assert f"missed {len(passed) - 1} fire time(s)" in caplog.text
    assert state.state("nightly").missed == len(passed) - 1

    # Restarted again at the same instant (a crash loop): nothing new, nothing twice.
    run_scheduler(state, schedules, back, back, {"nightly": 0.2})
    fire_times = [r.fire_time for r in all_runs(state, "nightly")]
    assert fire_times == [r.fire_time for r in after]
    assert len(fire_times) == len(set(fire_times))
    assert len(state.missed("nightly")) == 1


def test_catch_up_fires_one_coalesced_run_for_what_was_missed(
        tmp_path: Path, state: StateStore) -> None:
    schedules = specs(tmp_path, hourly={"cron": "0 * * * *", "catch_up": True})
    first = datetime(2026, 5, 4, 1, 0, 10, tzinfo=UTC)
    run_scheduler(state, schedules, first, first, {"hourly": 1})
    back = datetime(2026, 5, 4, 6, 20, tzinfo=UTC)  # 02:00 ... 06:00 passed while down
    run_scheduler(state, schedules, back, back, {"hourly": 1})
    runs = all_runs(state, "hourly")
    assert [(r.trigger, r.fire_time) for r in runs] == [
        (Trigger.CRON, first.replace(second=0)),
        (Trigger.CATCH_UP, back.replace(minute=0))]
    [missed] = state.missed("hourly")
    assert (missed.first, missed.last, missed.count) == (
        back.replace(hour=2, minute=0), back.replace(hour=5, minute=0), 4)
    assert missed.caught_up_by == runs[-1].id


def test_a_run_left_by_a_dead_process_is_abandoned_not_blocking(
        tmp_path: Path, state: StateStore) -> None:
    schedules = specs(tmp_path, nightly={"cron": "0 2 * * *"})
    dead = subprocess.Popen(["true"])
    dead.wait()
    left = state.claim_manual("nightly", datetime(2026, 5, 3, tzinfo=UTC), Owner.of(dead.pid))
    at = datetime(2026, 5, 4, 2, 0, 5, tzinfo=UTC)
    run_scheduler(state, schedules, at, at, {"nightly": 1})
    runs = {r.id: r for r in state.runs("nightly")}
    assert runs[left.id].outcome is Outcome.ABANDONED
    assert f"process {dead.pid}" in (runs[left.id].detail or "")
    assert [r.fire_time for r in runs.values() if r.trigger is Trigger.CRON] == [
        at.replace(second=0)]


@pytest.fixture
def live_process() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(["sleep", "60"])
    yield process
    process.kill()
    process.wait()


def test_a_run_of_another_live_process_blocks_run_now_and_the_scheduler(
        tmp_path: Path, state: StateStore, live_process: subprocess.Popen[bytes]) -> None:
    [spec] = specs(tmp_path, nightly={"cron": "0 2 * * *"})
    other = state.claim_manual("nightly", datetime(2026, 5, 4, 1, tzinfo=UTC),
                               Owner.of(live_process.pid))
    clock = FakeClock(datetime(2026, 5, 4, 2, tzinfo=UTC), datetime(2026, 5, 4, 3, tzinfo=UTC))
    job_ran = []

    def job(spec: ScheduleSpec, ticket: RunTicket) -> JobResult:
        job_ran.append(ticket.run_id)
        return JobResult(Outcome.OK)

    with pytest.raises(ScheduleBusy) as busy:
        run_now(spec, state, job, clock)
    assert f"run {other.id}" in str(busy.value) and str(live_process.pid) in str(busy.value)
    scheduler = Scheduler([spec], state, job, clock)
    [decision] = scheduler.tick()
    assert decision.run is None and decision.skip is not None
    assert decision.skip.blocked_by == other.id
    assert job_ran == []

    live_process.kill()
    live_process.wait()
    done = run_now(spec, state, job, clock)
    assert done.outcome is Outcome.OK and job_ran == [done.id]
    assert state.run(other.id).outcome is Outcome.ABANDONED


def test_a_failing_job_is_a_failed_run_not_a_dead_scheduler(
        tmp_path: Path, state: StateStore) -> None:
    [spec] = specs(tmp_path, nightly={"cron": "0 2 * * *"})
    clock = FakeClock(datetime(2026, 5, 4, 2, tzinfo=UTC), datetime(2026, 5, 4, 3, tzinfo=UTC))

    def job(spec: ScheduleSpec, ticket: RunTicket) -> JobResult:
        raise RuntimeError("collector bug")

    row = run_now(spec, state, job, clock)
    assert row.outcome is Outcome.FAILED and row.detail == "RuntimeError: collector bug"
    assert state.state("nightly").last_run == row


# ---- cron, time zones, DST ------------------------------------------------------------


def local_fires(expr: str, start: datetime, end: datetime) -> list[datetime]:
    cron = Cron.parse(expr, time_zone("Europe/Paris"))
    return [f.astimezone(PARIS) for f in cron.fires(start, end)]


def test_a_daily_time_skipped_by_the_spring_change_fires_right_after_it() -> None:
    # Paris, 2026-03-29: 02:00 CET becomes 03:00 CEST, so 02:30 does not exist that day.
    fires = local_fires("30 2 * * *", datetime(2026, 3, 27, 12, tzinfo=PARIS),
                        datetime(2026, 3, 31, 12, tzinfo=PARIS))
    assert [f.date().day for f in fires] == [28, 29, 30, 31]  # once a day, every day
    changed = fires[1]
    assert (changed.hour, changed.minute) == (3, 0)  # Debian cron: right after the change
    assert changed.utcoffset() == timedelta(hours=2)
    assert all((f.hour, f.minute) == (2, 30) for f in fires if f != changed)


def test_a_daily_time_repeated_by_the_autumn_change_fires_once() -> None:
    # Paris, 2026-10-25: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice.
    fires = local_fires("30 2 * * *", datetime(2026, 10, 24, 12, tzinfo=PARIS),
                        datetime(2026, 10, 26, 12, tzinfo=PARIS))
    assert [(f.day, f.hour, f.minute) for f in fires] == [(25, 2, 30), (26, 2, 30)]


def test_a_frequent_schedule_follows_the_clock_through_both_changes() -> None:
    for day in (datetime(2026, 3, 29, tzinfo=PARIS), datetime(2026, 10, 25, tzinfo=PARIS)):
        fires = local_fires("*/30 * * * *", day, day + timedelta(hours=5))
        steps = {b.astimezone(UTC) - a.astimezone(UTC) for a, b in pairwise(fires)}
        assert steps == {timedelta(minutes=30)}  # every 30 real minutes, none twice


def test_the_scheduler_fires_once_across_the_autumn_change(
        tmp_path: Path, state: StateStore) -> None:
    schedules = specs(tmp_path, nightly={"cron": "30 2 * * *", "timezone": "Europe/Paris"})
    start = datetime(2026, 10, 24, 12, tzinfo=PARIS)
    clock = FakeClock(start, start + timedelta(days=2))
    scheduler = Scheduler(schedules, state, sleeping_job(clock, {"nightly": 10}), clock,
                          poll=timedelta(hours=6))
    clock.scheduler = scheduler
    scheduler.run_forever(threading.Event())
    fired = [r.fire_time.astimezone(PARIS) for r in all_runs(state, "nightly")
             if r.fire_time]
    assert [(f.day, f.hour, f.minute, f.utcoffset()) for f in fired] == [
        (25, 2, 30, timedelta(hours=2)), (26, 2, 30, timedelta(hours=1))]
    assert state.state("nightly").skips == state.state("nightly").missed == 0


# ---- configuration errors -----------------------------------------------------------


@pytest.mark.parametrize(("settings", "where", "says"), [
    ({"cron": "0 2 * *"}, "schedules.s.cron", "5 fields"),
    ({"cron": "0 25 * * *"}, "schedules.s.cron", "Bad hour"),
    ({"cron": "0 0 0 2 5 *"}, "schedules.s.cron", "5 fields"),
    ({"cron": "0 2 * * *", "timezone": "Europe/Pariss"}, "schedules.s.timezone", "IANA"),
    ({"timezone": "UTC"}, "schedules.s.cron", "missing"),
    ({"cron": "0 2 * * *", "inventory": None}, "schedules.s.inventory", "missing"),
    ({"cron": "0 2 * * *", "inventory": [3]}, "schedules.s.inventory[0]", "text"),
    ({"cron": "0 2 * * *", "select": {"site": ["paris"]}}, "schedules.s.select.site",
     "groups, sites, tags"),
    ({"cron": "0 2 * * *", "select": {"tags": []}}, "schedules.s.select.tags", "list"),
    ({"cron": "0 2 * * *", "concurrency": 0}, "schedules.s.concurrency", "between 1 and 512"),
    ({"cron": "0 2 * * *", "concurrency": "16"}, "schedules.s.concurrency", "integer"),
    ({"cron": "0 2 * * *", "timeout": True}, "schedules.s.timeout", "number"),
    ({"cron": "0 2 * * *", "audit": "yes please"}, "schedules.s.audit", "true or false"),
    ({"cron": "0 2 * * *", "crontab": "x"}, "schedules.s.crontab", "unknown setting"),
])
def test_a_bad_schedule_names_the_field(tmp_path: Path, settings: dict[str, Any],
                                       where: str, says: str) -> None:
    with pytest.raises(ScheduleConfigError) as error:
        parse_schedules({"s": {"inventory": "hosts.yaml", **settings}}, tmp_path)
    message = str(error.value)
    assert message.startswith(f"{where}: "), message
    assert says in message


def test_a_good_schedule_reads_as_written(tmp_path: Path) -> None:
    [spec] = parse_schedules({"branch-atms": {
        "cron": "0 2 * * *", "timezone": "Europe/Paris", "inventory": ["atms.yaml", "/abs.yaml"],
        "select": {"groups": ["atm"], "sites": "paris"}, "audit": True, "concurrency": 16,
        "timeout": 90}}, tmp_path)
    assert spec.inventory == (tmp_path / "atms.yaml", Path("/abs.yaml"))
    assert spec.select.to_json() == {"groups": ["atm"], "sites": ["paris"]}
    assert (spec.audit, spec.concurrency, spec.timeout, spec.catch_up) == (True, 16, 90.0,
                                                                           False)
    with pytest.raises(ScheduleConfigError, match=r"^schedules\.bad name: "):
        parse_schedules({"bad name": {"cron": "0 2 * * *", "inventory": "x"}}, tmp_path)
