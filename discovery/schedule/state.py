"""The scheduler's memory: an SQLite file (by default `scheduler.sqlite` beside the store).

It holds, per schedule, the watermark (fire times up to here were considered), every run
(trigger, fire time, owner process, outcome, and the store's run number), every skip and
every stretch of missed fire times. Each change is one `BEGIN IMMEDIATE` transaction, so
two processes (the scheduler and a `run-now`) never both start the same schedule, and
the unique (schedule, fire time) of a run is the proof that no fire time ran twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from discovery.schedule.model import (
    Decision,
    JobResult,
    MissedRow,
    Outcome,
    RunRow,
    ScheduleState,
    SkipRow,
    Trigger,
)
from discovery.schedule.owner import Owner
from discovery.schedule.plan import FirePlan, Missed

SCHEMA_VERSION = "1"
DDL = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS watermarks(
    schedule TEXT PRIMARY KEY, checked_until TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs(
    id INTEGER PRIMARY KEY AUTOINCREMENT, schedule TEXT NOT NULL, trigger TEXT NOT NULL,
    fire_time TEXT, started_at TEXT NOT NULL, finished_at TEXT, outcome TEXT NOT NULL,
    pid INTEGER NOT NULL, pid_started TEXT, store_run INTEGER, audit_run INTEGER,
    targets INTEGER, reached INTEGER, failed INTEGER, detail TEXT,
    UNIQUE(schedule, fire_time));
CREATE INDEX IF NOT EXISTS runs_running ON runs(outcome, schedule);
CREATE TABLE IF NOT EXISTS skips(
    schedule TEXT NOT NULL, fire_time TEXT NOT NULL, at TEXT NOT NULL, reason TEXT NOT NULL,
    blocked_by INTEGER, PRIMARY KEY(schedule, fire_time)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS missed(
    id INTEGER PRIMARY KEY AUTOINCREMENT, schedule TEXT NOT NULL, first_fire TEXT NOT NULL,
    last_fire TEXT NOT NULL, count INTEGER NOT NULL, at_least INTEGER NOT NULL,
    noticed_at TEXT NOT NULL, caught_up_by INTEGER);
"""
_RUNS = ("SELECT id, schedule, trigger, fire_time, started_at, finished_at, outcome, pid, "
         "store_run, audit_run, targets, reached, failed, detail FROM runs")
# The only WHERE clauses runs are read with (fixed text; values are parameters).
_BY_ID, _BY_SCHEDULE = "id = ?", "schedule = ?"
_RUNNING, _FINISHED = ("schedule = ? AND outcome = 'running'",
                       "schedule = ? AND outcome != 'running'")


class StateError(Exception):
    """The state file cannot be opened or is not ours."""


class ScheduleBusy(Exception):
    """The schedule has a run going in a live process: no second one may start."""

    def __init__(self, schedule: str, run: RunRow) -> None:
        super().__init__(f"schedule {schedule} is running right now: run {run.id} "
                         f"({run.trigger}) started {_show(run.started_at)} by process "
                         f"{run.pid}")
        self.schedule, self.run = schedule, run


class StateStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(DDL)
            with self._tx() as db:
                _check_version(db, path)
        except (OSError, sqlite3.Error) as exc:
            raise StateError(f"{path}: cannot open the scheduler state: {exc}") from exc

    @contextmanager
    def _tx(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One change, one transaction; a second process waits for the lock. Readers
        get a consistent view without taking it."""
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    # ---- changes ----------------------------------------------------------------------

    def advance(self, name: str, now: datetime, owner: Owner,
                decide: Callable[[datetime | None], FirePlan]) -> Decision:
        """Look at one schedule at `now`: `decide(watermark)` says what is due; start the
        run (or record the skip), record what was missed, move the watermark to now."""
        with self._tx() as db:
            abandoned = _sweep(db, now, name)
            watermark = _watermark(db, name)
            plan = decide(watermark)
            run = skip = None
            if plan.fire is not None and plan.trigger is not None:
                blocker = _running(db, name)
                if blocker is None:
                    run = _insert_run(db, name, plan.trigger, plan.fire, now, owner)
                else:
                    skip = _insert_skip(db, name, plan.fire, now, blocker)
            caught_up = run.id if run and run.trigger is Trigger.CATCH_UP else None
            missed = _insert_missed(db, name, plan.missed, now, caught_up)
            db.execute("INSERT INTO watermarks VALUES(?, ?) ON CONFLICT(schedule) DO UPDATE "
                       "SET checked_until = max(checked_until, excluded.checked_until)",
                       (name, _iso(now)))
        return Decision(name, run, skip, missed, tuple(abandoned))

    def claim_manual(self, name: str, now: datetime, owner: Owner) -> RunRow:
        """Start a run outside the cron times; `ScheduleBusy` if one is going."""
        with self._tx() as db:
            _sweep(db, now, name)
            blocker = _running(db, name)
            if blocker is not None:
                raise ScheduleBusy(name, blocker)
            return _insert_run(db, name, Trigger.MANUAL, None, now, owner)

    def link_store_run(self, run_id: int, store_run: int) -> None:
        with self._tx() as db:
            db.execute("UPDATE runs SET store_run = ? WHERE id = ?", (store_run, run_id))

    def finish(self, run_id: int, result: JobResult, now: datetime) -> RunRow:
        with self._tx() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, outcome = ?, targets = ?, reached = ?, "
                "failed = ?, store_run = coalesce(?, store_run), audit_run = ?, detail = ? "
                "WHERE id = ? AND outcome = 'running'",
                (_iso(now), result.outcome.value, result.targets, result.reached,
                 result.failed, result.store_run, result.audit_run, result.detail, run_id))
            return _run(db, run_id)

    def abandon(self, run_ids: Sequence[int], now: datetime, reason: str) -> None:
        with self._tx() as db:
            db.executemany("UPDATE runs SET outcome = 'abandoned', finished_at = ?, detail = ? "
                           "WHERE id = ? AND outcome = 'running'",
                           [(_iso(now), reason, run_id) for run_id in run_ids])

    def sweep(self, now: datetime) -> list[RunRow]:
        """Mark runs whose process is gone (killed, crashed) as abandoned."""
        with self._tx() as db:
            return _sweep(db, now, None)

    # ---- reading ----------------------------------------------------------------------

    def state(self, name: str) -> ScheduleState:
        with self._tx(write=False) as db:
            count = db.execute("SELECT count(*) FROM skips WHERE schedule = ?", (name,))
            skips = int(count.fetchone()[0])
            total = db.execute("SELECT coalesce(sum(count), 0) FROM missed WHERE schedule = ?",
                               (name,))
            missed = int(total.fetchone()[0])
            last = _runs(db, _FINISHED, (name,), 1)
            running = _runs(db, _RUNNING, (name,), 1)
            return ScheduleState(last[0] if last else None, running[0] if running else None,
                                 skips, missed, next(iter(_skips(db, name, 1)), None),
                                 next(iter(_missed_rows(db, name, 1)), None))

    def run(self, run_id: int) -> RunRow:
        with self._tx(write=False) as db:
            return _run(db, run_id)

    def runs(self, name: str, limit: int = 20) -> list[RunRow]:
        with self._tx(write=False) as db:
            return _runs(db, _BY_SCHEDULE, (name,), limit)

    def skips(self, name: str, limit: int = 20) -> list[SkipRow]:
        with self._tx(write=False) as db:
            return _skips(db, name, limit)

    def missed(self, name: str, limit: int = 20) -> list[MissedRow]:
        with self._tx(write=False) as db:
            return _missed_rows(db, name, limit)


def _check_version(db: sqlite3.Connection, path: Path) -> None:
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        db.execute("INSERT INTO meta VALUES('schema_version', ?)", (SCHEMA_VERSION,))
    elif row[0] != SCHEMA_VERSION:
        raise StateError(f"{path}: scheduler state version {row[0]}, this cmdb needs "
                         f"{SCHEMA_VERSION}")


def _watermark(db: sqlite3.Connection, name: str) -> datetime | None:
    row = db.execute("SELECT checked_until FROM watermarks WHERE schedule = ?",
                     (name,)).fetchone()
    return _time(row[0]) if row else None


def _sweep(db: sqlite3.Connection, now: datetime, name: str | None) -> list[RunRow]:
    gone = []
    for run_id, schedule, pid, started in db.execute(
            "SELECT id, schedule, pid, pid_started FROM runs WHERE outcome = 'running'"
            ).fetchall():
        if name in (None, schedule) and not Owner(pid, started).alive():
            db.execute("UPDATE runs SET outcome = 'abandoned', finished_at = ?, detail = ? "
                       "WHERE id = ?", (_iso(now), f"process {pid} ended before the run did "
                                                   "(killed or crashed)", run_id))
            gone.append(_run(db, run_id))
    return gone


def _running(db: sqlite3.Connection, name: str) -> RunRow | None:
    found = _runs(db, _RUNNING, (name,), 1)
    return found[0] if found else None


def _insert_run(db: sqlite3.Connection, name: str, trigger: Trigger, fire: datetime | None,
                now: datetime, owner: Owner) -> RunRow:
    cur = db.execute(
        "INSERT INTO runs(schedule, trigger, fire_time, started_at, outcome, pid, pid_started)"
        " VALUES(?, ?, ?, ?, 'running', ?, ?)",
        (name, trigger.value, _iso(fire) if fire else None, _iso(now), owner.pid,
         owner.started))
    return _run(db, int(cur.lastrowid or 0))


def _insert_skip(db: sqlite3.Connection, name: str, fire: datetime, now: datetime,
                 blocker: RunRow) -> SkipRow:
    reason = (f"run {blocker.id} ({blocker.trigger}, started {_show(blocker.started_at)}, "
              f"process {blocker.pid}) was still running")
    db.execute("INSERT INTO skips VALUES(?, ?, ?, ?, ?)",
               (name, _iso(fire), _iso(now), reason, blocker.id))
    return SkipRow(name, fire, now, reason, blocker.id)


def _insert_missed(db: sqlite3.Connection, name: str, missed: Missed | None, now: datetime,
                   caught_up_by: int | None) -> MissedRow | None:
    if missed is None:
        return None
    cur = db.execute(
        "INSERT INTO missed(schedule, first_fire, last_fire, count, at_least, noticed_at, "
        "caught_up_by) VALUES(?, ?, ?, ?, ?, ?, ?)",
        (name, _iso(missed.first), _iso(missed.last), missed.count, int(missed.at_least),
         _iso(now), caught_up_by))
    return MissedRow(int(cur.lastrowid or 0), name, missed.first, missed.last, missed.count,
                     missed.at_least, now, caught_up_by)


def _run(db: sqlite3.Connection, run_id: int) -> RunRow:
    return _runs(db, _BY_ID, (run_id,), 1)[0]


def _runs(db: sqlite3.Connection, where: str, args: tuple[object, ...],
          limit: int) -> list[RunRow]:
    query = f"{_RUNS} WHERE {where} ORDER BY id DESC LIMIT ?"  # `where`: one of the above
    rows = db.execute(query, (*args, limit)).fetchall()
    return [RunRow(r[0], r[1], Trigger(r[2]), _maybe_time(r[3]), _time(r[4]),
                   _maybe_time(r[5]), Outcome(r[6]), *r[7:]) for r in rows]


def _skips(db: sqlite3.Connection, name: str, limit: int) -> list[SkipRow]:
    rows = db.execute("SELECT schedule, fire_time, at, reason, blocked_by FROM skips "
                      "WHERE schedule = ? ORDER BY fire_time DESC LIMIT ?", (name, limit))
    return [SkipRow(r[0], _time(r[1]), _time(r[2]), r[3], r[4]) for r in rows.fetchall()]


def _missed_rows(db: sqlite3.Connection, name: str, limit: int) -> list[MissedRow]:
    rows = db.execute("SELECT id, schedule, first_fire, last_fire, count, at_least, "
                      "noticed_at, caught_up_by FROM missed WHERE schedule = ? "
                      "ORDER BY id DESC LIMIT ?", (name, limit))
    return [MissedRow(r[0], r[1], _time(r[2]), _time(r[3]), r[4], bool(r[5]), _time(r[6]),
                      r[7]) for r in rows.fetchall()]


def _iso(moment: datetime) -> str:
    """Fixed-width UTC text: sorts as it compares."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _maybe_time(text: str | None) -> datetime | None:
    return _time(text) if text else None


def _show(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
