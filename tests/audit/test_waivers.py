"""Waivers: who may grant them, for how long, what they cover, and when they are in force."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from audit import waivers
from audit.auditdb import AuditDb
from audit.waivers import Waiver, WaiverError, WaiverStatus

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
TODAY = date(2024, 6, 1)
DAY = timedelta(days=1)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[AuditDb]:
    with AuditDb(tmp_path / "audit.db") as handle:
        yield handle


def grant(db: AuditDb, **changes: Any) -> Waiver:
    args: dict[str, Any] = {
        "check": "LNX-SSH-001", "selector": {"hostname": "legacy-*"},
        "reason": "vendor appliance needs root login until CHG-1234", "requested_by": "bob",
        "approved_by": "carol", "expires": TODAY + 30 * DAY, "now": NOW,
        "baseline": "linux-servers"}
    args.update(changes)
    return waivers.add(db, **args)


# ---- granting ----------------------------------------------------------------------------

def test_ids_are_sequential_and_the_waiver_is_stored_as_returned(db: AuditDb) -> None:
    first = grant(db)
    second = grant(db, check="LNX-SSH-002", baseline=None)
    assert (first.id, second.id) == ("W-0001", "W-0002")
    assert waivers.get(db, "W-0001") == first
    assert waivers.all_waivers(db) == [first, second]
    assert first.selector == {"hostname": "legacy-*"} and second.baseline is None


def test_waivers_survive_reopening(tmp_path: Path) -> None:
    with AuditDb(tmp_path / "audit.db") as db:
        granted = grant(db)
    with AuditDb(tmp_path / "audit.db") as db:
        assert waivers.get(db, granted.id) == granted
        assert grant(db).id == "W-0002"


@pytest.mark.parametrize("approver", ["bob", "BOB", " Bob "])
def test_the_requester_cannot_approve(db: AuditDb, approver: str) -> None:
    with pytest.raises(WaiverError, match="requested it and cannot also approve it"):
        grant(db, approved_by=approver)
    assert waivers.all_waivers(db) == []


@pytest.mark.parametrize(("field", "what"), [("reason", "reason"),
                                             ("requested_by", "requester"),
                                             ("approved_by", "approver"), ("check", "check")])
def test_empty_fields_are_refused(db: AuditDb, field: str, what: str) -> None:
    with pytest.raises(WaiverError, match=f"the {what} is empty"):
        grant(db, **{field: "  "})


@pytest.mark.parametrize("expires", [TODAY, TODAY - DAY])
def test_expiry_must_be_after_today(db: AuditDb, expires: date) -> None:
    with pytest.raises(WaiverError, match=r"is not after today .*must expire in the future"):
        grant(db, expires=expires)


def test_expiry_at_most_366_days_ahead(db: AuditDb) -> None:
    assert grant(db, expires=TODAY + DAY).expires == TODAY + DAY
    assert grant(db, expires=TODAY + 366 * DAY).expires == date(2025, 6, 2)
    with pytest.raises(WaiverError, match="367 days ahead; a waiver is temporary"):
        grant(db, expires=TODAY + 367 * DAY)


def test_today_is_the_utc_date(db: AuditDb) -> None:
    evening_in_new_york = datetime(2024, 6, 1, 21, 0, tzinfo=timezone(timedelta(hours=-5)))
    with pytest.raises(WaiverError, match=r"today \(2024-06-02\)"):
        grant(db, now=evening_in_new_york, expires=date(2024, 6, 2))


def test_expiry_is_a_date_not_a_datetime(db: AuditDb) -> None:
    with pytest.raises(WaiverError, match="expires must be a date"):
        grant(db, expires=NOW + 30 * DAY)


def test_unwaivable_checks_are_refused_by_name(db: AuditDb) -> None:
    with pytest.raises(WaiverError, match="check LNX-SSH-001 is marked unwaivable"):
        grant(db, unwaivable_checks={"LNX-SSH-001", "LNX-FW-001"})
    assert grant(db, unwaivable_checks={"LNX-FW-001"}).id == "W-0001"


def test_a_wildcard_needs_a_baseline(db: AuditDb) -> None:
    with pytest.raises(WaiverError, match="'\\*' waives every check of one baseline"):
        grant(db, check="*", baseline=None)
    assert grant(db, check="*").check == "*"


def test_bad_selectors_are_refused(db: AuditDb) -> None:
    with pytest.raises(WaiverError, match="selector 'site'"):
        grant(db, selector={"site": 7})


# ---- in force or not ----------------------------------------------------------------------

def test_a_waiver_is_active_through_its_expiry_day(db: AuditDb) -> None:
    granted = grant(db, expires=TODAY + 10 * DAY)
    last_moment = datetime(2024, 6, 11, 23, 59, 59, tzinfo=UTC)
    assert waivers.status(granted, last_moment) is WaiverStatus.ACTIVE
    assert waivers.active(db, last_moment) == [granted]
    assert waivers.status(granted, last_moment + timedelta(seconds=1)) is WaiverStatus.EXPIRED
    assert waivers.active(db, last_moment + timedelta(seconds=1)) == []


def test_a_revoked_waiver_is_not_active_from_its_revocation(db: AuditDb) -> None:
    granted = grant(db)
    other = grant(db, check="LNX-SSH-002")
    revoked = waivers.revoke(db, granted.id, " dave ", NOW + DAY)
    assert (revoked.revoked_by, revoked.revoked_at) == ("dave", NOW + DAY)
    assert waivers.get(db, granted.id) == revoked
    assert waivers.status(revoked, NOW + DAY) is WaiverStatus.REVOKED
    assert waivers.active(db, NOW + 2 * DAY) == [other]
    # as of before the revocation it was in force; before it was granted it was not
    assert waivers.active(db, NOW + DAY / 2) == [revoked, other]
    assert waivers.active(db, NOW - DAY) == []


def test_a_waiver_is_revoked_once(db: AuditDb) -> None:
    granted = grant(db)
    waivers.revoke(db, granted.id, "dave", NOW + DAY)
    with pytest.raises(WaiverError, match=r"W-0001 was already revoked .* by dave"):
        waivers.revoke(db, granted.id, "erin", NOW + 2 * DAY)
    assert waivers.get(db, granted.id).revoked_by == "dave"


def test_unknown_waivers_and_empty_revokers_are_refused(db: AuditDb) -> None:
    with pytest.raises(WaiverError, match="waiver W-0042 does not exist"):
        waivers.revoke(db, "W-0042", "dave", NOW)
    granted = grant(db)
    with pytest.raises(WaiverError, match="waiver W-0001: the revoker is empty"):
        waivers.revoke(db, granted.id, "", NOW)


# ---- what a waiver covers --------------------------------------------------------------

def waiver(check: str, baseline: str | None) -> Waiver:
    return Waiver("W-0001", check, baseline, {}, "why", "bob", "carol", NOW, TODAY + DAY)


def test_a_check_is_covered_exactly(db: AuditDb) -> None:
    scoped = waiver("LNX-SSH-001", "linux-servers")
    assert waivers.covers(scoped, "linux-servers", "LNX-SSH-001")
    assert not waivers.covers(scoped, "linux-servers", "LNX-SSH-0011")
    assert not waivers.covers(scoped, "linux-servers", "lnx-ssh-001")
    assert not waivers.covers(scoped, "atm-fleet", "LNX-SSH-001")


def test_no_baseline_means_any_baseline() -> None:
    anywhere = waiver("LNX-SSH-001", None)
    assert waivers.covers(anywhere, "linux-servers", "LNX-SSH-001")
    assert waivers.covers(anywhere, "atm-fleet", "LNX-SSH-001")
    assert not waivers.covers(anywhere, "atm-fleet", "LNX-SSH-002")


def test_a_wildcard_covers_every_check_of_its_baseline_only() -> None:
    every = waiver("*", "linux-servers")
    assert waivers.covers(every, "linux-servers", "LNX-SSH-001")
    assert waivers.covers(every, "linux-servers", "/etc/ssh/sshd_config")
    assert not waivers.covers(every, "atm-fleet", "LNX-SSH-001")
    assert not waivers.covers(waiver("*", None), "linux-servers", "LNX-SSH-001")


def test_unwaivable_checks_are_never_covered() -> None:
    # A rule can become unwaivable after the waiver was granted.
    assert not waivers.covers(waiver("*", "linux-servers"), "linux-servers", "LNX-FW-001",
                              unwaivable_checks={"LNX-FW-001"})
    assert not waivers.covers(waiver("LNX-FW-001", None), "linux-servers", "LNX-FW-001",
                              unwaivable_checks={"LNX-FW-001"})
