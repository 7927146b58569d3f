"""The finding index: every finding's key and verdict per audit run, beside its manifest.

Trends (new / persisting / resolved) compare an audit with the previous one by finding
key (baseline, check, CI). Reading that from the previous manifest means parsing all of
it, hundreds of MiB for a large fleet; the index holds only keys and verdicts, one row
per (run, baseline, check): the CIs as a JSON array and their verdicts as one letter
each, in the same order (`LETTERS`). `AuditDb.add_run` writes it in the same transaction
as the manifest, and triggers keep it from being changed, like the manifest.

Runs stored before the index existed (audit DB schema 1) have none: `deviating` returns
None for them and the caller reads that run's manifest instead. The manifest stays the
evidence; the index is a faster way to read part of it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from audit.model import DEVIATING, Finding, Verdict

Key = tuple[str, str, str]  # (baseline, check, CI uid), as Finding.key

DDL = """
CREATE TABLE finding_index(
    run INTEGER NOT NULL REFERENCES audit_runs(run),
    baseline TEXT NOT NULL, check_id TEXT NOT NULL,
    cis TEXT NOT NULL,       -- JSON array of CI uids, in the manifest's finding order
    verdicts TEXT NOT NULL,  -- one letter per CI: c d n e w (compliant, drift, ...)
    PRIMARY KEY (run, baseline, check_id),
    CHECK (json_array_length(cis) = length(verdicts))
) WITHOUT ROWID;

-- A run with an index, and how many findings it indexed (a run may have none).
CREATE TABLE indexed_runs(
    run INTEGER PRIMARY KEY REFERENCES audit_runs(run),
    findings INTEGER NOT NULL CHECK (findings >= 0));

CREATE TRIGGER finding_index_no_change BEFORE UPDATE ON finding_index
BEGIN SELECT RAISE(ABORT, 'the finding index is written with its run and never changes'); END;

CREATE TRIGGER finding_index_no_delete BEFORE DELETE ON finding_index
BEGIN SELECT RAISE(ABORT, 'the finding index is written with its run and never changes'); END;

CREATE TRIGGER indexed_runs_no_change BEFORE UPDATE ON indexed_runs
BEGIN SELECT RAISE(ABORT, 'the finding index is written with its run and never changes'); END;

CREATE TRIGGER indexed_runs_no_delete BEFORE DELETE ON indexed_runs
BEGIN SELECT RAISE(ABORT, 'the finding index is written with its run and never changes'); END;
"""

LETTERS = {Verdict.COMPLIANT: "c", Verdict.DRIFT: "d", Verdict.NOT_APPLICABLE: "n",
           Verdict.ERROR: "e", Verdict.WAIVED: "w"}
_DEVIATING_LETTERS = frozenset(LETTERS[v] for v in DEVIATING)
_ALL_LETTERS = frozenset(LETTERS.values())


def write(conn: sqlite3.Connection, run: int, findings: Iterable[Finding]) -> None:
    """Index a run's findings (inside the caller's transaction, with its manifest)."""
    by_check: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    count = 0
    for f in findings:
        cis, verdicts = by_check.setdefault((f.baseline, f.check), ([], []))
        cis.append(f.ci)
        verdicts.append(LETTERS[f.verdict])
        count += 1
    conn.executemany("INSERT INTO finding_index VALUES(?, ?, ?, ?, ?)", (
        (run, baseline, check, json.dumps(cis, ensure_ascii=False), "".join(verdicts))
        for (baseline, check), (cis, verdicts) in by_check.items()))
    conn.execute("INSERT INTO indexed_runs VALUES(?, ?)", (run, count))


def deviating(conn: sqlite3.Connection, run: int) -> frozenset[Key] | None:
    """Keys whose finding deviated (drift, error, waived) in `run`; None when the run has
    no index. A key listed twice counts as its last finding, as in the manifest."""
    if conn.execute("SELECT 1 FROM indexed_runs WHERE run = ?", (run,)).fetchone() is None:
        return None
    found: set[Key] = set()
    for baseline, check, cis, verdicts in conn.execute(
            "SELECT baseline, check_id, cis, verdicts FROM finding_index WHERE run = ?",
            (run,)):
        if not _ALL_LETTERS.issuperset(verdicts):
            raise ValueError(f"{baseline} {check}: verdict letters {verdicts!r} are not all "
                             f"of {''.join(sorted(_ALL_LETTERS))}")
        last = dict(zip(json.loads(cis), verdicts, strict=True))  # a repeated CI: its last
        found.update((baseline, check, ci) for ci, letter in last.items()
                     if letter in _DEVIATING_LETTERS)
    return frozenset(found)
