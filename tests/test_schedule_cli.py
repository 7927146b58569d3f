"""Scheduled discovery through the installed `cmdb`: schedules from the config file, a
real OpenSSH peer discovered by `schedule run-now`, `scheduler run --once-at`, the
no-overlap rule across processes, and config errors that name the field."""

from __future__ import annotations

import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from discovery.lab.sshd import SshdPeer
from discovery.schedule import Outcome, Owner, StateStore
from tests.cmdb_command import CMDB, Cmdb

DECOY = "127.0.0.1"  # port 1: nothing listens, the connection is refused at once


@pytest.fixture
def lab(sshd_peer: SshdPeer, tmp_path: Path) -> dict[str, Path]:
    """An inventory with this machine (site lab-1) and a decoy elsewhere, a known_hosts
    file for the peer, and a config file whose schedules select from it."""
    credentials = (f"    credentials: {{username: {sshd_peer.user}, "
                   f"key_file: {sshd_peer.client_key_path}}}\n")
    (tmp_path / "hosts.yaml").write_text(
        "groups:\n  lab: {site: lab-1, role: server, tags: [prod]}\n"
        "hosts:\n"
        f"  me:\n    address: {sshd_peer.address}\n    port: {sshd_peer.port}\n"
        f"    groups: [lab]\n{credentials}"
        f"  decoy:\n    address: {DECOY}\n    port: 1\n    site: elsewhere\n{credentials}")
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(sshd_peer.known_hosts_line() + "\n")
    return {"dir": tmp_path, "known_hosts": known_hosts, "store": tmp_path / "cmdb.sqlite",
            "config": tmp_path / "config.yaml", "key": sshd_peer.client_key_path}


def configure(lab: dict[str, Path], schedules: str) -> Cmdb:
    lab["config"].write_text(
        f"discover: {{known_hosts: {lab['known_hosts']}, retries: 0}}\n"
        f"schedules:\n{schedules}")
    return Cmdb(lab["store"], CMDB_CONFIG=str(lab["config"]))


def listed(cmdb: Cmdb) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in cmdb.json("schedule", "list")}


def test_schedule_list_shows_each_schedule_and_its_next_fire_time(
        lab: dict[str, Path]) -> None:
    cmdb = configure(lab, "  nightly: {cron: '0 2 * * *', inventory: hosts.yaml}\n"
                          "  paris: {cron: '30 4 * * 1', timezone: Europe/Paris, "
                          "inventory: [hosts.yaml], select: {sites: [lab-1]}, "
                          "concurrency: 4}\n")
    before = datetime.now(UTC)
    rows = listed(cmdb)
    after = datetime.now(UTC)
    assert set(rows) == {"nightly", "paris"}
    nightly = rows["nightly"]
    expected = {_next_daily(before, 2), _next_daily(after, 2)}  # the same unless at 02:00
    assert datetime.fromisoformat(nightly["next_fire"]) in expected
    assert (nightly["cron"], nightly["timezone"]) == ("0 2 * * *", "UTC")
    assert nightly["inventory"] == [str(lab["dir"] / "hosts.yaml")]
    assert (nightly["last_run"], nightly["running"], nightly["skips"], nightly["missed"]) == (
        None, None, 0, 0)
    paris = rows["paris"]
    assert paris["select"] == {"sites": ["lab-1"]} and paris["concurrency"] == 4
    local = datetime.fromisoformat(paris["next_fire"]).astimezone(ZoneInfo("Europe/Paris"))
    assert (local.weekday(), local.hour, local.minute) == (0, 4, 30)
    text = cmdb("schedule", "list")
    assert text.returncode == 0 and "nightly" in text.stdout and "Europe/Paris" in text.stdout


def _next_daily(now: datetime, hour: int) -> datetime:
    candidate = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(days=1)


def test_run_now_discovers_the_selection_and_records_the_run_everywhere(
        lab: dict[str, Path]) -> None:
    cmdb = configure(lab, "  lab:\n    cron: '0 2 * * *'\n    inventory: hosts.yaml\n"
                          "    select: {sites: [lab-1], tags: [prod]}\n"
                          "  lab-audited:\n    cron: '0 3 * * *'\n    inventory: hosts.yaml\n"
                          "    select: {groups: [lab]}\n    audit: true\n")
    done = cmdb("schedule", "run-now", "lab")
    assert done.returncode == 0, done.stdout + done.stderr
    runs = cmdb.json("runs")
    assert [(r["kind"], r["targets"], r["reached"]) for r in runs] == [("discovery", 1, 1)]
    assert len(cmdb.json("ci", "list", "--label", "Device")) == 1  # the decoy was not asked
    last = listed(cmdb)["lab"]["last_run"]
    assert (last["trigger"], last["outcome"], last["store_run"]) == ("manual", "ok",
                                                                     runs[0]["run"])
    assert (last["targets"], last["reached"], last["failed"]) == (1, 1, 0)
    assert "lab: run 1 started (manual)" in done.stderr

    # With `audit: true` the run audits after storing; a baseline must be in effect.
    device = cmdb.json("ci", "list", "--label", "Device")[0]["uid"]
    assert cmdb("baseline", "capture", "gold", "--ci", device, "--by", "alice").returncode == 0
    assert cmdb("baseline", "approve", "gold", "--by", "bob").returncode == 0
    audited = cmdb("schedule", "run-now", "lab-audited")
    assert audited.returncode == 0, audited.stdout + audited.stderr
    last = cmdb.json("schedule", "history", "lab-audited")["runs"][0]
    assert last["store_run"] == cmdb.json("runs")[0]["run"] == runs[0]["run"] + 1
    assert last["audit_run"] == 1 and last["detail"].startswith("audit run 1:")
    assert cmdb("audit", "report", "1", "--format", "json").returncode == 0


def test_an_audit_that_cannot_run_makes_the_run_partial_but_keeps_the_discovery(
        lab: dict[str, Path]) -> None:
    cmdb = configure(lab, "  audited:\n    cron: '0 3 * * *'\n    inventory: hosts.yaml\n"
                          "    select: {sites: [lab-1]}\n    audit: true\n")
    done = cmdb("schedule", "run-now", "audited")
    assert done.returncode == 2, done.stdout + done.stderr
    last = listed(cmdb)["audited"]["last_run"]
    assert last["outcome"] == "partial" and "no approved baseline" in last["detail"]
    assert last["audit_run"] is None and last["store_run"] == cmdb.json("runs")[0]["run"]


@pytest.fixture
def live_process() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(["sleep", "60"])
    yield process
    process.kill()
    process.wait()


def test_run_now_is_refused_while_a_live_process_runs_the_schedule(
        lab: dict[str, Path], live_process: subprocess.Popen[bytes]) -> None:
    cmdb = configure(lab, "  decoy: {cron: '0 2 * * *', inventory: hosts.yaml, "
                          "select: {sites: [elsewhere]}}\n")
    state = StateStore(lab["dir"] / "scheduler.sqlite")  # beside the store
    other = state.claim_manual("decoy", datetime.now(UTC), Owner.of(live_process.pid))
    refused = cmdb("schedule", "run-now", "decoy")
    assert refused.returncode == 3
    assert "schedule decoy is running right now" in refused.stderr
    assert f"run {other.id}" in refused.stderr and str(live_process.pid) in refused.stderr
    assert cmdb.json("runs") == []  # nothing was discovered or stored
    assert listed(cmdb)["decoy"]["running"]["id"] == other.id

    live_process.kill()
    live_process.wait()
    done = cmdb("schedule", "run-now", "decoy")  # the only target refuses: partial
    assert done.returncode == 2, done.stdout + done.stderr
    runs = {r["id"]: r for r in cmdb.json("schedule", "history", "decoy")["runs"]}
    assert runs[other.id]["outcome"] == "abandoned"
    assert [r["outcome"] for r in runs.values() if r["id"] != other.id] == ["partial"]
    assert cmdb.json("runs")[0]["missed"][0]["target"] == "decoy"


def test_scheduler_run_once_fires_what_is_due_once_and_reports_what_was_missed(
        lab: dict[str, Path]) -> None:
    cmdb = configure(lab, "  decoy:\n    cron: '0 3 * * *'\n    timezone: Europe/Paris\n"
                          "    inventory: hosts.yaml\n    select: {sites: [elsewhere]}\n")
    first = "2020-01-06T02:00:10+00:00"  # 03:00:10 in Paris (CET)
    fired = cmdb("scheduler", "run", "--once-at", first)
    assert fired.returncode == 2, fired.stderr  # its only target refuses: partial
    assert "decoy: run 1 started (cron for 2020-01-06 03:00 CET)" in fired.stderr
    again = cmdb("scheduler", "run", "--once-at", first)  # a restart at the same time
    assert again.returncode == 0 and "started" not in again.stderr
    later = cmdb("scheduler", "run", "--once-at", "2020-01-09T02:00:20+00:00")
    assert "decoy: missed 2 fire time(s) from 2020-01-07 03:00 CET to 2020-01-08 03:00 CET" \
        in later.stderr
    history = cmdb.json("schedule", "history", "decoy")
    fires = [r["fire_time"] for r in history["runs"]]
    assert fires == ["2020-01-09T02:00:00+00:00", "2020-01-06T02:00:00+00:00"]
    assert [r["store_run"] for r in history["runs"]] == [r["run"] for r in cmdb.json("runs")]
    assert [(m["first"], m["count"]) for m in history["missed"]] == [
        ("2020-01-07T02:00:00+00:00", 2)]
    assert listed(cmdb)["decoy"]["missed"] == 2


def test_bad_schedules_and_bad_requests_are_usage_errors(lab: dict[str, Path]) -> None:
    cmdb = configure(lab, "  nightly: {cron: '0 2 * *', inventory: hosts.yaml}\n")
    done = cmdb("runs")  # every command reads the config file
    assert done.returncode == 3
    assert f"{lab['config']}: schedules.nightly.cron:" in done.stderr
    assert "5 fields" in done.stderr

    cmdb = configure(lab, "  nightly: {cron: '0 2 * * *', inventory: hosts.yaml, "
                          "select: {sites: [nowhere]}}\n")
    unknown = cmdb("schedule", "run-now", "daily")
    assert unknown.returncode == 3 and "no schedule 'daily'" in unknown.stderr
    assert "nightly" in unknown.stderr
    empty = cmdb("schedule", "run-now", "nightly")
    assert empty.returncode == 3 and "matches none of the 2 targets" in empty.stderr
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert cmdb("scheduler", "run", "--once-at", future).returncode == 3


@pytest.fixture
def silent_peer() -> Iterator[tuple[str, int]]:
    """A TCP port that accepts connections and never says a word: an SSH login to it
    hangs until its timeout, which keeps a run going for a while."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield "127.0.0.1", listener.getsockname()[1]


class SchedulerProcess:
    """`cmdb scheduler run` in the background, its log lines collected as they come."""

    def __init__(self, cmdb: Cmdb) -> None:
        self.process = subprocess.Popen([CMDB, "scheduler", "run"], env=cmdb.env, text=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        self.lines.extend(self.process.stderr)

    def wait_for(self, text: str) -> None:
        deadline = time.monotonic() + 60
        while not any(text in line for line in self.lines):
            assert self.process.poll() is None or self._reader.is_alive(), self.log
            assert time.monotonic() < deadline, f"never logged {text!r}:\n{self.log}"
            time.sleep(0.05)

    def stop(self, *signals: signal.Signals) -> int:
        for signum in signals:
            if signum is not signals[0]:
                self.wait_for(f"{signals[0].name}: stopping")  # the first one was handled
            self.process.send_signal(signum)
        code = self.process.wait(timeout=120)
        self._reader.join(10)
        return code

    @property
    def log(self) -> str:
        return "".join(self.lines)


def start_scheduler(lab: dict[str, Path], peer: tuple[str, int]) -> SchedulerProcess:
    """One every-minute schedule (a fire time is always within the minute of grace, so it
    starts at once) whose only target hangs for its 5 s timeout."""
    (lab["dir"] / "silent.yaml").write_text(
        f"hosts:\n  silent: {{address: {peer[0]}, port: {peer[1]}, "
        f"credentials: {{username: nobody, key_file: {lab['key']}}}}}\n")
    cmdb = configure(lab, "  slow: {cron: '* * * * *', inventory: silent.yaml, timeout: 5}\n")
    scheduler = SchedulerProcess(cmdb)
    scheduler.wait_for("slow: run 1 started")
    return scheduler


def test_sigterm_lets_the_run_in_progress_finish(
        lab: dict[str, Path], silent_peer: tuple[str, int]) -> None:
    scheduler = start_scheduler(lab, silent_peer)
    assert scheduler.stop(signal.SIGTERM) == 0, scheduler.log
    log = scheduler.log
    # The signal came while the run went on, and the scheduler waited for its end.
    assert log.index("SIGTERM: stopping") < log.index("slow: run 1 ended partial") < log.index(
        "scheduler stopped"), log
    [run] = StateStore(lab["dir"] / "scheduler.sqlite").runs("slow")
    assert run.outcome is Outcome.PARTIAL and run.failed == 1, run
    stored = Cmdb(lab["store"]).json("runs")
    assert [(r["run"], r["status"]) for r in stored] == [(run.store_run, "done")]


def test_a_second_signal_abandons_the_run_in_progress(
        lab: dict[str, Path], silent_peer: tuple[str, int]) -> None:
    scheduler = start_scheduler(lab, silent_peer)
    assert scheduler.stop(signal.SIGTERM, signal.SIGINT) == 2, scheduler.log
    [run] = StateStore(lab["dir"] / "scheduler.sqlite").runs("slow")
    assert run.outcome is Outcome.ABANDONED and "second SIGINT" in (run.detail or ""), run
    stored = Cmdb(lab["store"]).json("runs")  # begun, never written: nothing half-stored
    assert [(r["run"], r["status"], r["changes"]) for r in stored] == [
        (run.store_run, "running", None)]
