"""Baselines: named, versioned expectations for a set of CIs, and their lifecycle.

A name's versions are numbered 1, 2, ... and never change content. Each is created as a
draft; someone other than its author approves it, with an instant from which it takes
effect (now or later, never earlier: an approval cannot rewrite what past audits should
have expected). Approving a version supersedes the older approved versions that the new
one takes over from; superseded versions still answer "what applied at instant T".

`sha256` pins a version: SHA-256 over canonical JSON of {name, version, kind, selector,
content}. It is checked on every read, so an audit never runs against a version whose
stored content was changed behind cmdb-auditor's back.

`content` is opaque JSON here: its meaning per kind belongs to the modules that audit it.
The selector is stored as JSON; matching CIs is the caller's (audit.selectors).
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from audit.auditdb import AuditDb, SelectorJson, selector_problem, stamp, unstamp
from audit.evidence import EvidenceError, canonical

NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


class BaselineKind(enum.StrEnum):
    SNAPSHOT = "snapshot"  # an accepted capture of CI configuration
    POLICY = "policy"  # rules (audit.rules)
    INTENDED = "intended"  # intended configuration for network gear


class BaselineStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SUPERSEDED = "superseded"  # a later approved version takes over from it


class BaselineError(ValueError):
    """A baseline operation refused; the message names the baseline and version."""


@dataclass(frozen=True)
class BaselineVersion:
    name: str
    version: int
    kind: BaselineKind
    selector: SelectorJson
    content: Mapping[str, Any]  # JSON
    sha256: str
    author: str
    created_at: datetime  # UTC
    status: BaselineStatus
    approved_by: str | None = None
    approved_at: datetime | None = None
    effective_from: datetime | None = None  # set on approval

    @property
    def label(self) -> str:
        return f"baseline {self.name} v{self.version}"


def content_sha256(name: str, version: int, kind: BaselineKind, selector: SelectorJson,
                   content: Mapping[str, Any]) -> str:
    body = {"name": name, "version": version, "kind": kind.value, "selector": selector,
            "content": content}
    return hashlib.sha256(canonical(body)).hexdigest()


_COLUMNS = ("name, version, kind, selector, content, sha256, author, created_at, status, "
            "approved_by, approved_at, effective_from")
_SELECT = f"SELECT {_COLUMNS} FROM baselines"  # noqa: S608 - fixed text, no input
# Per name, the counted version with the latest effective_from <= ?1 (ties: higher version).
_EFFECTIVE = (
    f"SELECT {_COLUMNS} FROM (SELECT *, row_number() OVER ("  # noqa: S608 - fixed text
    "PARTITION BY name ORDER BY effective_from DESC, version DESC) AS pick FROM baselines "
    "WHERE status IN ('approved', 'superseded') AND effective_from <= ?1 "
    "AND (?2 IS NULL OR name = ?2)) WHERE pick = 1 ORDER BY name")


# ---- writes ------------------------------------------------------------------------------

def create(db: AuditDb, name: str, kind: BaselineKind, selector: SelectorJson,
           content: Mapping[str, Any], author: str, now: datetime) -> BaselineVersion:
    """A new draft version of `name` (version 1 for a new name)."""
    _check_name(name)
    where = f"baseline {name}"
    who = _person(author, where, "author")
    created_at = _utc(now, where)
    kind = _kind(kind, where)
    selector, content = _stored_json(selector, content, where)
    with db.transaction() as conn:
        latest = conn.execute("SELECT version, kind FROM baselines WHERE name = ? "
                              "ORDER BY version DESC LIMIT 1", (name,)).fetchone()
        if latest is not None and latest[1] != kind.value:
            raise BaselineError(f"{where} is a {latest[1]} baseline (up to v{latest[0]}); "
                                f"v{latest[0] + 1} cannot be {kind.value}: a baseline keeps "
                                "its kind, use another name")
        version = latest[0] + 1 if latest is not None else 1
        draft = BaselineVersion(name, version, kind, selector, content,
                                content_sha256(name, version, kind, selector, content),
                                who, created_at, BaselineStatus.DRAFT)
        conn.execute(f"INSERT INTO baselines({_COLUMNS}) "
                     "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL)",
                     (name, version, kind.value, _json(selector), _json(content),
                      draft.sha256, who, stamp(created_at), draft.status.value))
    return draft


def approve(db: AuditDb, name: str, version: int | None, approver: str, now: datetime,
            effective_from: datetime | None = None) -> BaselineVersion:
    """Approve a draft (`version` None: the latest draft) by someone not its author.

    It takes effect at `effective_from` (default: now; never before now). Older approved
    versions taking effect no later than it become superseded.
    """
    where = f"baseline {name}" + (f" v{version}" if version is not None else "")
    approved_at = _utc(now, where)
    effective = approved_at if effective_from is None else _utc(effective_from, where)
    with db.transaction() as conn:
        draft = _draft(conn, name, version)
        who = _approver(draft, approver)
        if effective < approved_at:
            raise BaselineError(f"{draft.label}: effective_from {effective.isoformat()} is "
                                f"before the approval ({approved_at.isoformat()}); an "
                                "approval cannot be backdated")
        _check_not_older(conn, draft)
        conn.execute("UPDATE baselines SET status = 'approved', approved_by = ?, "
                     "approved_at = ?, effective_from = ? WHERE name = ? AND version = ?",
                     (who, stamp(approved_at), stamp(effective), name, draft.version))
        conn.execute("UPDATE baselines SET status = 'superseded' WHERE name = ? AND "
                     "status = 'approved' AND version < ? AND effective_from <= ?",
                     (name, draft.version, stamp(effective)))
    return replace(draft, status=BaselineStatus.APPROVED, approved_by=who,
                   approved_at=approved_at, effective_from=effective)


def _draft(conn: sqlite3.Connection, name: str, version: int | None) -> BaselineVersion:
    if version is None:
        row = conn.execute(f"{_SELECT} WHERE name = ? AND status = 'draft' "
                           "ORDER BY version DESC LIMIT 1", (name,)).fetchone()
        if row is None:
            raise BaselineError(f"baseline {name} has no draft version to approve")
        return _from_row(row)
    row = conn.execute(f"{_SELECT} WHERE name = ? AND version = ?",
                       (name, version)).fetchone()
    if row is None:
        raise BaselineError(f"baseline {name} v{version} does not exist")
    found = _from_row(row)
    if found.status is not BaselineStatus.DRAFT:
        raise BaselineError(f"{found.label} is already {found.status.value} (approved by "
                            f"{found.approved_by}); only a draft can be approved")
    return found


def _approver(draft: BaselineVersion, approver: str) -> str:
    who = _person(approver, draft.label, "approver")
    if who.casefold() == draft.author.strip().casefold():
        raise BaselineError(f"{draft.label}: {who} is its author and cannot approve it; "
                            "a baseline must be approved by someone other than its author")
    return who


def _check_not_older(conn: sqlite3.Connection, draft: BaselineVersion) -> None:
    # Approved versions go up with time, so "which version applied" never steps back to
    # older content; re-approving old content is a new version.
    (newest,) = conn.execute("SELECT max(version) FROM baselines WHERE name = ? AND "
                             "status <> 'draft'", (draft.name,)).fetchone()
    if newest is not None and newest > draft.version:
        raise BaselineError(f"{draft.label} is older than the approved v{newest}; create a "
                            "new version with its content to bring it back")


# ---- reads -------------------------------------------------------------------------------

def get(db: AuditDb, name: str, version: int | None = None) -> BaselineVersion:
    """One version (None: the latest, whatever its status)."""
    with db.reading() as conn:
        if version is None:
            row = conn.execute(f"{_SELECT} WHERE name = ? ORDER BY version DESC LIMIT 1",
                               (name,)).fetchone()
        else:
            row = conn.execute(f"{_SELECT} WHERE name = ? AND version = ?",
                               (name, version)).fetchone()
    if row is None:
        which = f" v{version}" if version is not None else ""
        raise BaselineError(f"baseline {name}{which} does not exist")
    return _from_row(row)


def versions(db: AuditDb, name: str) -> list[BaselineVersion]:
    """Every version of `name`, oldest first (empty for an unknown name)."""
    with db.reading() as conn:
        rows = conn.execute(f"{_SELECT} WHERE name = ? ORDER BY version", (name,)).fetchall()
    return [_from_row(row) for row in rows]


def names(db: AuditDb) -> list[str]:
    with db.reading() as conn:
        return [name for (name,) in conn.execute(
            "SELECT DISTINCT name FROM baselines ORDER BY name")]


def effective(db: AuditDb, name: str, at: datetime) -> BaselineVersion | None:
    """The version of `name` in effect at `at`: approved or superseded, with the latest
    effective_from not after `at` (ties: the higher version). Drafts never count."""
    with db.reading() as conn:
        row = conn.execute(_EFFECTIVE, (stamp(_utc(at, f"baseline {name}")), name)).fetchone()
    return _from_row(row) if row is not None else None


def effective_all(db: AuditDb, at: datetime) -> dict[str, BaselineVersion]:
    """Every name with a version in effect at `at`, read in one consistent state."""
    with db.reading() as conn:
        rows = conn.execute(_EFFECTIVE, (stamp(_utc(at, "baselines")), None)).fetchall()
    return {version.name: version for version in map(_from_row, rows)}


# ---- helpers -----------------------------------------------------------------------------

def _from_row(row: tuple[Any, ...]) -> BaselineVersion:
    name, version, kind, selector, content, sha, author, created, status, by, at, eff = row
    found = BaselineVersion(
        name, int(version), BaselineKind(kind), json.loads(selector), json.loads(content),
        sha, author, unstamp(created), BaselineStatus(status), by,
        unstamp(at) if at is not None else None, unstamp(eff) if eff is not None else None)
    computed = content_sha256(found.name, found.version, found.kind, found.selector,
                              found.content)
    if computed != found.sha256:
        raise BaselineError(f"{found.label}: stored content does not match its sha256 "
                            f"({sha[:12]}…, computed {computed[:12]}…); it was changed "
                            "outside cmdb-auditor and must not be audited against")
    return found


def _check_name(name: object) -> None:
    if not isinstance(name, str) or NAME.fullmatch(name) is None:
        raise BaselineError(f"baseline name {name!r} is not valid: 1 to 64 characters of "
                            "a-z, 0-9, '.', '_', '-', starting with a letter or digit")


def _kind(kind: object, where: str) -> BaselineKind:
    try:
        return BaselineKind(str(kind))
    except ValueError:
        raise BaselineError(f"{where}: kind {kind!r} is not one of "
                            f"{', '.join(BaselineKind)}") from None


def _person(value: object, where: str, role: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BaselineError(f"{where}: the {role} is empty")
    return value.strip()


def _utc(at: datetime, where: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise BaselineError(f"{where}: {at.isoformat()} has no time zone; pass an aware "
                            "datetime")
    return at.astimezone(UTC)


def _stored_json(selector: SelectorJson, content: Mapping[str, Any],
                 where: str) -> tuple[SelectorJson, dict[str, Any]]:
    """Copies in their JSON form: what is returned is exactly what is stored and hashed."""
    problem = selector_problem(selector)
    if problem is not None:
        raise BaselineError(f"{where}: {problem}")
    if not isinstance(content, Mapping):
        raise BaselineError(f"{where}: content must be a JSON object, got "
                            f"{type(content).__name__}")
    try:
        return json.loads(_json(selector)), json.loads(_json(content))
    except EvidenceError as exc:
        raise BaselineError(f"{where}: {exc}") from exc


def _json(value: Mapping[str, Any]) -> str:
    return canonical(value).decode("utf-8")
