"""Baseline versions: numbering, four-eyes approval, supersession, what is in effect when."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from audit import baselines
from audit.auditdb import AuditDb, SelectorJson
from audit.baselines import BaselineError, BaselineKind, BaselineStatus, BaselineVersion
from audit.evidence import canonical

T0 = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SELECTOR: SelectorJson = {"role": "atm", "site": ["fra-1", "fra-2"]}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[AuditDb]:
    with AuditDb(tmp_path / "audit.db") as handle:
        yield handle


def draft(db: AuditDb, content: dict[str, Any] | None = None, *, name: str = "atm-fleet",
          author: str = "alice", at: datetime = T0,
          kind: BaselineKind = BaselineKind.SNAPSHOT) -> BaselineVersion:
    return baselines.create(db, name, kind, SELECTOR, content or {"os": "4.2"}, author, at)


# ---- creating versions -----------------------------------------------------------------

def test_versions_count_up_per_name_and_start_as_drafts(db: AuditDb) -> None:
    first = draft(db, {"os": "4.1"})
    second = draft(db, {"os": "4.2"}, at=T0 + DAY)
    other = draft(db, name="linux-servers", kind=BaselineKind.POLICY)
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert first.status is BaselineStatus.DRAFT and first.approved_by is None
    assert baselines.versions(db, "atm-fleet") == [first, second]
    assert baselines.get(db, "atm-fleet") == second
    assert baselines.get(db, "atm-fleet", 1) == first
    assert baselines.names(db) == ["atm-fleet", "linux-servers"]


def test_what_create_returns_is_what_is_stored(db: AuditDb) -> None:
    local = datetime(2024, 6, 1, 11, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    created = baselines.create(db, "atm-fleet", BaselineKind.INTENDED, SELECTOR,
                               {"sections": {"ntp": ["server 10.0.0.1"]}}, " alice ", local)
    assert baselines.get(db, "atm-fleet", 1) == created
    assert created.created_at == local and created.created_at.tzinfo is UTC
    assert created.author == "alice"


@pytest.mark.parametrize("name", ["", "ATM", "-atm", ".atm", "atm fleet", "atm/fleet",
                                  "atm\n", "é", "a" * 65])
def test_bad_names_are_refused(db: AuditDb, name: str) -> None:
    with pytest.raises(BaselineError, match=r"baseline name .* is not valid"):
        draft(db, name=name)
    assert baselines.names(db) == []


@pytest.mark.parametrize("name", ["a", "0", "a" * 64, "linux-servers.v2_eu"])
def test_good_names_are_accepted(db: AuditDb, name: str) -> None:
    assert draft(db, name=name).name == name


def test_a_name_keeps_its_kind(db: AuditDb) -> None:
    draft(db)
    with pytest.raises(BaselineError, match=r"atm-fleet is a snapshot baseline .*v2 cannot "
                                            "be policy"):
        draft(db, kind=BaselineKind.POLICY)
    assert len(baselines.versions(db, "atm-fleet")) == 1


@pytest.mark.parametrize(("selector", "content"), [
    ({"role": 3}, {}), ({"tags": ["a", 1]}, {}), (["role"], {}),
    ({}, ["not", "a", "mapping"]), ({}, {"x": float("nan")}), ({}, {"x": object()}),
])
def test_selector_and_content_must_be_json(db: AuditDb, selector: Any, content: Any) -> None:
    with pytest.raises(BaselineError, match="baseline atm-fleet: "):
        baselines.create(db, "atm-fleet", BaselineKind.SNAPSHOT, selector, content, "alice",
                         T0)


def test_naive_times_and_empty_authors_are_refused(db: AuditDb) -> None:
    with pytest.raises(BaselineError, match="no time zone"):
        draft(db, at=datetime(2024, 6, 1, 9, 0))
    with pytest.raises(BaselineError, match="the author is empty"):
        draft(db, author="  ")


# ---- hashes ------------------------------------------------------------------------------

def test_sha256_is_over_canonical_json_of_the_identity_and_content(db: AuditDb) -> None:
    created = draft(db, {"os": "4.2", "xfs": {"b": 1, "a": 2}})
    expected = hashlib.sha256(canonical({
        "name": "atm-fleet", "version": 1, "kind": "snapshot", "selector": SELECTOR,
        "content": {"os": "4.2", "xfs": {"a": 2, "b": 1}}})).hexdigest()
    assert created.sha256 == expected


def test_sha256_is_stable_and_changes_with_content(db: AuditDb) -> None:
    pinned = baselines.content_sha256("atm-fleet", 1, BaselineKind.SNAPSHOT, SELECTOR,
                                      {"a": 1, "b": [1, 2]})
    reordered = dict(sorted(SELECTOR.items(), reverse=True))
    same = baselines.content_sha256("atm-fleet", 1, BaselineKind.SNAPSHOT, reordered,
                                    {"b": [1, 2], "a": 1})
    assert pinned == same
    for changed in ({"a": 2, "b": [1, 2]}, {"a": 1, "b": [2, 1]}, {"a": 1}):
        assert baselines.content_sha256("atm-fleet", 1, BaselineKind.SNAPSHOT, SELECTOR,
                                        changed) != pinned
    assert baselines.content_sha256("atm-fleet", 2, BaselineKind.SNAPSHOT, SELECTOR,
                                    {"a": 1, "b": [1, 2]}) != pinned
    assert baselines.content_sha256("atm-fleet", 1, BaselineKind.SNAPSHOT, {},
                                    {"a": 1, "b": [1, 2]}) != pinned


def test_content_changed_outside_cmdb_auditor_is_refused_on_read(db: AuditDb) -> None:
    draft(db)
    conn = sqlite3.connect(db.path, isolation_level=None)
    conn.execute("DROP TRIGGER baselines_append_only")  # a determined hand-edit
    conn.execute("UPDATE baselines SET content = '{\"os\":\"9.9\"}'")
    conn.close()
    with pytest.raises(BaselineError, match="atm-fleet v1: stored content does not match"):
        baselines.get(db, "atm-fleet")


# ---- approval ----------------------------------------------------------------------------

@pytest.mark.parametrize("approver", ["alice", "ALICE", "  Alice\t"])
def test_the_author_cannot_approve(db: AuditDb, approver: str) -> None:
    draft(db, author="alice")
    with pytest.raises(BaselineError, match=r"atm-fleet v1: .* is its author and cannot "
                                            "approve it"):
        baselines.approve(db, "atm-fleet", 1, approver, T0)
    assert baselines.get(db, "atm-fleet").status is BaselineStatus.DRAFT


def test_an_empty_approver_is_refused(db: AuditDb) -> None:
    draft(db)
    with pytest.raises(BaselineError, match="atm-fleet v1: the approver is empty"):
        baselines.approve(db, "atm-fleet", 1, " ", T0)


def test_approval_records_who_when_and_from_when(db: AuditDb) -> None:
    draft(db)
    approved = baselines.approve(db, "atm-fleet", None, " bob ", T0 + DAY)
    assert approved.status is BaselineStatus.APPROVED
    assert (approved.approved_by, approved.approved_at, approved.effective_from) == (
        "bob", T0 + DAY, T0 + DAY)
    assert baselines.get(db, "atm-fleet", 1) == approved


def test_a_version_is_approved_once(db: AuditDb) -> None:
    draft(db)
    baselines.approve(db, "atm-fleet", 1, "bob", T0)
    with pytest.raises(BaselineError, match=r"atm-fleet v1 is already approved .*only a "
                                            "draft can be approved"):
        baselines.approve(db, "atm-fleet", 1, "carol", T0 + DAY)
    with pytest.raises(BaselineError, match="atm-fleet has no draft version to approve"):
        baselines.approve(db, "atm-fleet", None, "carol", T0 + DAY)
    assert baselines.get(db, "atm-fleet", 1).approved_by == "bob"


def test_unknown_versions_are_named(db: AuditDb) -> None:
    draft(db)
    with pytest.raises(BaselineError, match="baseline atm-fleet v7 does not exist"):
        baselines.approve(db, "atm-fleet", 7, "bob", T0)
    with pytest.raises(BaselineError, match="baseline nope does not exist"):
        baselines.get(db, "nope")


def test_none_approves_the_latest_draft(db: AuditDb) -> None:
    draft(db, {"os": "4.1"})
    draft(db, {"os": "4.2"})
    assert baselines.approve(db, "atm-fleet", None, "bob", T0).version == 2


def test_an_approval_cannot_be_backdated(db: AuditDb) -> None:
    draft(db)
    with pytest.raises(BaselineError, match=r"atm-fleet v1: effective_from .* cannot be "
                                            "backdated"):
        baselines.approve(db, "atm-fleet", 1, "bob", T0, effective_from=T0 - DAY)


def test_a_draft_older_than_an_approved_version_is_not_approved(db: AuditDb) -> None:
    draft(db, {"os": "4.1"})
    draft(db, {"os": "4.2"})
    baselines.approve(db, "atm-fleet", 2, "bob", T0)
    with pytest.raises(BaselineError, match="atm-fleet v1 is older than the approved v2"):
        baselines.approve(db, "atm-fleet", 1, "bob", T0 + DAY)


# ---- supersession and what is in effect ------------------------------------------------

def status_of(db: AuditDb) -> list[str]:
    return [v.status.value for v in baselines.versions(db, "atm-fleet")]


def effective_version(db: AuditDb, at: datetime) -> int | None:
    found = baselines.effective(db, "atm-fleet", at)
    return found.version if found is not None else None


def test_approving_supersedes_the_previous_version(db: AuditDb) -> None:
    draft(db, {"os": "4.1"})
    first = baselines.approve(db, "atm-fleet", 1, "bob", T0)
    draft(db, {"os": "4.2"})
    baselines.approve(db, "atm-fleet", 2, "carol", T0 + 10 * DAY)
    assert status_of(db) == ["superseded", "approved"]
    kept = baselines.get(db, "atm-fleet", 1)
    assert (kept.approved_by, kept.approved_at, kept.effective_from) == (
        first.approved_by, first.approved_at, first.effective_from)
    assert effective_version(db, T0 - DAY) is None
    assert effective_version(db, T0) == 1
    assert effective_version(db, T0 + 5 * DAY) == 1  # superseded versions answer the past
    assert effective_version(db, T0 + 10 * DAY) == 2


def test_drafts_never_take_effect(db: AuditDb) -> None:
    draft(db)
    assert effective_version(db, T0 + 100 * DAY) is None
    baselines.approve(db, "atm-fleet", 1, "bob", T0)
    draft(db, {"os": "5.0"})
    assert effective_version(db, T0 + 100 * DAY) == 1


def test_a_future_effective_from_takes_over_only_then(db: AuditDb) -> None:
    draft(db, {"os": "4.1"})
    baselines.approve(db, "atm-fleet", 1, "bob", T0)
    draft(db, {"os": "4.2"})
    release = T0 + 30 * DAY
    baselines.approve(db, "atm-fleet", 2, "bob", T0 + DAY, effective_from=release)
    assert status_of(db) == ["superseded", "approved"]
    assert effective_version(db, T0 + DAY) == 1
    assert effective_version(db, release - timedelta(microseconds=1)) == 1
    assert effective_version(db, release) == 2


def test_an_earlier_effective_version_leaves_a_scheduled_one_alone(db: AuditDb) -> None:
    draft(db, {"os": "4.1"})
    baselines.approve(db, "atm-fleet", 1, "bob", T0)
    draft(db, {"os": "4.2"})
    baselines.approve(db, "atm-fleet", 2, "bob", T0, effective_from=T0 + 30 * DAY)
    draft(db, {"os": "4.1.1"})  # an interim fix, effective at once
    baselines.approve(db, "atm-fleet", 3, "bob", T0 + DAY)
    assert status_of(db) == ["superseded", "approved", "approved"]
    assert effective_version(db, T0 + 2 * DAY) == 3
    assert effective_version(db, T0 + 30 * DAY) == 2


def test_the_same_effective_from_goes_to_the_higher_version(db: AuditDb) -> None:
    cutover = T0 + 7 * DAY
    draft(db, {"os": "4.1"})
    baselines.approve(db, "atm-fleet", 1, "bob", T0, effective_from=cutover)
    draft(db, {"os": "4.2"})
    baselines.approve(db, "atm-fleet", 2, "bob", T0 + DAY, effective_from=cutover)
    assert status_of(db) == ["superseded", "approved"]
    assert effective_version(db, cutover) == 2


def test_effective_all_gives_each_name_its_version(db: AuditDb) -> None:
    draft(db)
    baselines.approve(db, "atm-fleet", 1, "bob", T0)
    draft(db, name="linux-servers", kind=BaselineKind.POLICY)
    baselines.approve(db, "linux-servers", 1, "bob", T0 + 5 * DAY)
    draft(db, name="core-switches", kind=BaselineKind.INTENDED)  # draft only
    at_two = baselines.effective_all(db, T0 + 2 * DAY)
    assert {n: v.version for n, v in at_two.items()} == {"atm-fleet": 1}
    assert sorted(baselines.effective_all(db, T0 + 5 * DAY)) == ["atm-fleet",
                                                                 "linux-servers"]
