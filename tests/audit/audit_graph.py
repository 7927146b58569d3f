"""A small fleet and policy that audit tests run the whole drift engine on.

Three servers discovered twice, deterministically (same uids in every store built here):

- discovery run 1: all three reached; web01 and web02 have an sshd_config, db01 has none.
- discovery run 2: web01 now permits root login, web02 no longer does, db01 was not
  reached (its findings become `error`).

Policy `fleet` v1 holds four rules (FX-IF-001 always drifts: the builders' interfaces
have no MTU); v2 drops FX-IF-001, so its deviations from an audit on v1 are *resolved*
(gone) in the next audit on v2. Snapshot baseline `gold` freezes web01 as of run 1.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path

from cmdb.ingest import ingest
from cmdb.schema import TargetFacts, TargetOutcome
from cmdb.store.base import GraphStore
from tests.cmdb.builders import host, placed, run_info

DISCOVERED = datetime(2026, 1, 1, tzinfo=UTC)  # tests.cmdb.builders.run_info's time
FIRST_AUDIT = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
SECOND_AUDIT = datetime(2026, 1, 3, 9, 0, tzinfo=UTC)
THIRD_AUDIT = datetime(2026, 1, 4, 9, 0, tzinfo=UTC)
WAIVER_EXPIRES = date(2026, 2, 1)

_RULES = """
  - id: FX-SSH-001
    title: SSH root login is disabled
    path: [config_files, /etc/ssh/sshd_config, settings, permitrootlogin]
    equals: "no"
    severity: high
    references: [{standard: CIS Debian 12, control: "5.1.20"}]
  - id: FX-SSH-002
    title: SSH password authentication is disabled
    path: [config_files, /etc/ssh/sshd_config, settings, passwordauthentication]
    equals: "no"
    severity: medium
  - id: FX-HOST-001
    title: Host names follow the naming scheme
    path: hostname
    regex: "(web|db)[0-9]+"
    severity: low
"""
_IF_RULE = """
  - id: FX-IF-001
    title: Interfaces use a standard MTU
    path: [interfaces, "*", mtu]
    all: {in: [1500, 9000]}
    severity: info
"""


def pack_text(version: int) -> str:
    """The `fleet` pack as written for baseline version 1 (four rules) or 2 (three)."""
    rules = _RULES + (_IF_RULE if version == 1 else "")
    return f'pack: fleet\nversion: "{version}.0"\nrules:{rules}'


def _sshd(**settings: str) -> dict[str, str]:
    return dict(settings)


def _facts(run: int) -> list[TargetFacts]:
    web01 = _sshd(permitrootlogin="no" if run == 1 else "yes", passwordauthentication="no")
    web02 = _sshd(permitrootlogin="yes" if run == 1 else "no")
    batch = [
        host("t1", serial="SER-W1", machine_id="m-w1", hostname="web01", settings=web01,
             interfaces={"eth0": "00:16:3e:00:00:01"}),
        placed("t1", "dc1"),
        host("t2", serial="SER-W2", machine_id="m-w2", hostname="web02", settings=web02,
             interfaces={"eth0": "00:16:3e:00:00:02"}),
        placed("t2", "dc1"),
    ]
    if run == 1:
        batch += [host("t3", serial="SER-D1", machine_id="m-d1", hostname="db01",
                       interfaces={"eth0": "00:16:3e:00:00:03"}),
                  placed("t3", "dc2")]
    return batch


def discover(store: GraphStore, run: int) -> None:
    """Discovery run 1 or 2 of the fleet (see the module docstring)."""
    number = store.begin_run("discovery", DISCOVERED)
    assert number == run, f"discovery run {run} must be the store's run {run}"
    outcomes = [TargetOutcome("t1", True), TargetOutcome("t2", True)]
    outcomes.append(TargetOutcome("t3", True) if run == 1 else
                    TargetOutcome("t3", False, error="timeout: no answer on port 22"))
    info = dataclasses.replace(run_info(number), targets=tuple(outcomes))
    ingest(store, _facts(run), info)


def write_pack(directory: Path, version: int) -> Path:
    path = directory / f"fleet-v{version}.yaml"
    path.write_text(pack_text(version))
    return path
