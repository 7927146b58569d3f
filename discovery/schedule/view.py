"""Schedules, runs, skips and missed fire times as plain JSON-ready rows (for the CLI)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from discovery.schedule.model import MissedRow, RunRow, ScheduleState, SkipRow
from discovery.schedule.spec import ScheduleSpec
from discovery.schedule.state import StateStore


def schedule_row(spec: ScheduleSpec, state: ScheduleState, now: datetime) -> dict[str, Any]:
    next_fire = spec.cron.next_after(now)
    return {
        "name": spec.name, "cron": spec.cron.expr, "timezone": spec.timezone,
        "inventory": [str(p) for p in spec.inventory], "select": spec.select.to_json(),
        "audit": spec.audit, "concurrency": spec.concurrency, "timeout": spec.timeout,
        "catch_up": spec.catch_up,
        "next_fire": _iso(next_fire),
        "next_fire_local": local_time(spec, next_fire) if next_fire else None,
        "running": run_json(state.running) if state.running else None,
        "last_run": run_json(state.last_run) if state.last_run else None,
        "skips": state.skips, "missed": state.missed,
        "last_skip": skip_json(state.last_skip) if state.last_skip else None,
        "last_missed": missed_json(state.last_missed) if state.last_missed else None,
    }


def run_json(run: RunRow) -> dict[str, Any]:
    row = asdict(run)
    for key in ("fire_time", "started_at", "finished_at"):
        row[key] = _iso(row[key])
    return {**row, "trigger": run.trigger.value, "outcome": run.outcome.value}


def skip_json(skip: SkipRow) -> dict[str, Any]:
    return {**asdict(skip), "fire_time": _iso(skip.fire_time), "at": _iso(skip.at)}


def missed_json(missed: MissedRow) -> dict[str, Any]:
    return {**asdict(missed), "first": _iso(missed.first), "last": _iso(missed.last),
            "noticed_at": _iso(missed.noticed_at)}


def local_time(spec: ScheduleSpec, moment: datetime) -> str:
    """A time as the schedule's own zone shows it, e.g. `2026-03-29 03:00 CEST`."""
    return moment.astimezone(spec.cron.zone).strftime("%Y-%m-%d %H:%M %Z")


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def history_json(state: StateStore, name: str, limit: int) -> dict[str, list[dict[str, Any]]]:
    """The latest runs, skips and missed stretches of one schedule, newest first."""
    return {"runs": [run_json(r) for r in state.runs(name, limit)],
            "skips": [skip_json(s) for s in state.skips(name, limit)],
            "missed": [missed_json(m) for m in state.missed(name, limit)]}
