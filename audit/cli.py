"""`cmdb baseline|audit|waiver|evidence`: the auditor's commands (parsing and rendering
only; the work is in audit.service). `cli.py` registers them and hands over the graph
store through `ctx.obj` (anything with `store_url` and `store()`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import click

from audit import baselines, evidence, service, waivers
from audit.auditdb import AuditDb, AuditDbError
from audit.baselines import BaselineError, BaselineVersion
from audit.evidence import EvidenceError
from audit.model import Severity
from audit.policy import shipped_packs
from audit.render import ReportFormat, render
from audit.rules import RulePackError
from audit.selectors import SelectorError
from audit.waivers import WaiverError
from cmdb.render import table
from cmdb.store.base import GraphStore

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 3
_PROBLEMS = (service.AuditUsageError, AuditDbError, BaselineError, EvidenceError,
             RulePackError, SelectorError, WaiverError)


class Session(Protocol):
    store_url: str

    def store(self) -> GraphStore: ...

    def audit_db_path(self) -> Path: ...


class AuditProblem(click.ClickException):
    exit_code = EXIT_USAGE


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except _PROBLEMS as exc:
        field = getattr(exc, "field", None)
        where = f"field '{field}': " if isinstance(exc, SelectorError) and field else ""
        raise AuditProblem(f"{where}{exc}") from exc


@contextmanager
def _db(ctx: click.Context) -> Iterator[AuditDb]:
    session: Session = ctx.obj
    with _translated(), AuditDb(session.audit_db_path()) as db:
        yield db


def _now() -> datetime:
    return datetime.now(UTC)


def _selector(pairs: tuple[str, ...]) -> dict[str, Any]:
    """`KEY=VALUE` options; a key given twice means any of the values."""
    found: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key or not value:
            raise AuditProblem(f"--selector {pair!r}: expected KEY=VALUE, e.g. role=server")
        found.setdefault(key.strip(), []).append(value.strip())
    return {k: v[0] if len(v) == 1 else v for k, v in found.items()}


def _emit(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))


SELECTOR = click.option("--selector", "selector", multiple=True, metavar="KEY=VALUE",
                        help="Which devices: label, role, platform, site, hostname (glob), "
                             "uid, distro, tags. Repeat; a key twice means either value.")


# ---- baseline -------------------------------------------------------------------------------

@click.group("baseline")
def baseline_group() -> None:
    """Approved, versioned expectations: snapshots, policy rule packs, intended configs.

    \b
    A version is created as a draft, approved by someone other than its author, and
    kept forever; approving a newer one supersedes the older from its effective date.
      cmdb baseline capture web-gold --ci web01 --by alice
      cmdb baseline create hardening --pack linux-hardening --selector platform=linux --by alice
      cmdb baseline intended access --platform cisco_ios --template access.j2 --by alice
      cmdb baseline approve web-gold --by bob
    """


@baseline_group.command("capture")
@click.argument("name")
@click.option("--ci", "cis", multiple=True, metavar="CI",
              help="Device uid, uid prefix or host name; repeat. Else --selector.")
@SELECTOR
@click.option("--ignore", multiple=True, metavar="PATH-GLOB",
              help="Paths not to freeze, e.g. 'listening_ports.*' (added to the defaults: "
                   "last_run, boot_time, memory_bytes, interfaces.*.oper_status).")
@click.option("--severity", type=click.Choice([s.value for s in Severity]), default="medium",
              show_default=True, help="Severity of a drift from this snapshot.")
@click.option("--by", "author", required=True, help="Who captures it (the author).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def baseline_capture(ctx: click.Context, name: str, cis: tuple[str, ...],
                     selector: tuple[str, ...], ignore: tuple[str, ...], severity: str,
                     author: str, as_json: bool) -> int:
    """Freeze the current configuration of devices as a draft snapshot baseline NAME."""
    session: Session = ctx.obj
    store = session.store()
    uids = [_resolve(store, ref) for ref in cis]
    with _db(ctx) as db:
        version = service.capture(store, db, name, _selector(selector), uids, author,
                                  _now(), ignore, severity)
    _show_version(version, as_json)
    return EXIT_OK


def _resolve(store: GraphStore, ref: str) -> str:
    found = store.resolve(ref)
    if len(found) != 1:
        raise AuditProblem(f"--ci {ref!r}: {'no CI' if not found else 'ambiguous'} "
                           f"({', '.join(found[:5])})")
    return found[0]


@baseline_group.command("create")
@click.argument("name")
@click.option("--pack", "packs", multiple=True, required=True, metavar="PACK",
              help=f"Rule pack file, or a shipped pack: {', '.join(shipped_packs())}.")
@SELECTOR
@click.option("--by", "author", required=True, help="Who proposes it (the author).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def baseline_create(ctx: click.Context, name: str, packs: tuple[str, ...],
                    selector: tuple[str, ...], author: str, as_json: bool) -> int:
    """A draft policy baseline NAME: the packs' rules, pinned by content, for the
    selected devices."""
    with _db(ctx) as db:
        version = service.create_policy(db, name, packs, _selector(selector), author, _now())
    _show_version(version, as_json)
    return EXIT_OK


@baseline_group.command("approve")
@click.argument("name")
@click.option("--version", type=int, help="Default: the latest draft.")
@click.option("--by", "approver", required=True, help="Who approves (not the author).")
@click.option("--effective-from", type=click.DateTime(), help="Default: now (UTC).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def baseline_approve(ctx: click.Context, name: str, version: int | None, approver: str,
                     effective_from: datetime | None, as_json: bool) -> int:
    """Approve a draft version of NAME; the author cannot approve their own."""
    when = effective_from.replace(tzinfo=UTC) if effective_from else None
    with _db(ctx) as db:
        approved = baselines.approve(db, name, version, approver, _now(), when)
    _show_version(approved, as_json)
    return EXIT_OK


@baseline_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def baseline_list(ctx: click.Context, as_json: bool) -> int:
    """Every version of every baseline, with who approved it and when."""
    with _db(ctx) as db:
        rows = [_version_row(v) for n in baselines.names(db) for v in baselines.versions(db, n)]
    if as_json:
        _emit(rows)
        return EXIT_OK
    table("Baselines", ["name", "version", "kind", "status", "author", "approved by",
                         "effective from", "sha256"],
           [[r["name"], r["version"], r["kind"], r["status"], r["author"],
             r["approved_by"] or "", (r["effective_from"] or "")[:19], r["sha256"][:12]]
            for r in rows])
    return EXIT_OK


def _version_row(v: BaselineVersion) -> dict[str, Any]:
    return {"name": v.name, "version": v.version, "kind": v.kind.value,
            "status": v.status.value, "author": v.author, "created_at": v.created_at,
            "approved_by": v.approved_by, "approved_at": v.approved_at,
            "effective_from": v.effective_from.isoformat() if v.effective_from else None,
            "selector": dict(v.selector), "sha256": v.sha256,
            "cis": len(v.content.get("cis", {})),
            "packs": [f"{p['name']} {p['version']}" for p in v.content.get("packs", ())]}


def _show_version(version: BaselineVersion, as_json: bool) -> None:
    row = _version_row(version)
    if as_json:
        _emit(row)
        return
    what = (f"{row['cis']} CIs" if version.kind.value == "snapshot"
            else ", ".join(row["packs"]))
    click.echo(f"{version.label} ({row['kind']}, {row['status']}): {what}; "
               f"sha256 {version.sha256[:12]}")


# ---- audit ----------------------------------------------------------------------------------

@click.group("audit")
def audit_group() -> None:
    """Audit CIs against the effective baselines; evidence of every run is kept.

    \b
      cmdb audit run --fail-on high          exit 1 if anything high or worse fails
      cmdb audit report --format html -o report.html
    """


FORMAT = click.option("--format", "fmt", type=click.Choice([f.value for f in ReportFormat]),
                      default="table", show_default=True)
OUTPUT = click.option("-o", "--output", type=click.Path(dir_okay=False),
                      help="Write the report to this file instead of stdout.")


@audit_group.command("run")
@click.option("--baseline", "names", multiple=True, help="Only these baselines (repeat).")
@click.option("--all", "all_", is_flag=True, help="Every effective baseline (the default).")
@click.option("--fail-on", type=click.Choice([s.value for s in Severity]),
              help="Exit 1 when a drift or error at this severity or above is found.")
@click.option("--sign-key", type=click.Path(exists=True, dir_okay=False),
              envvar="CMDB_AUDIT_SIGN_KEY", help="Ed25519 private key to sign the evidence.")
@click.option("--stale-after", type=click.IntRange(1), default=7, show_default=True,
              metavar="DAYS", help="Facts older than this are `error`, never compliant.")
@FORMAT
@OUTPUT
@click.pass_context
def audit_run(ctx: click.Context, names: tuple[str, ...], all_: bool, fail_on: str | None,
              sign_key: str | None, stale_after: int, fmt: str, output: str | None) -> int:
    """Compare every selected CI with every applicable baseline version."""
    if names and all_:
        raise AuditProblem("--baseline and --all exclude each other")
    session: Session = ctx.obj
    store = session.store()
    with _db(ctx) as db:
        outcome = service.audit(store, db, names, _now(),
                                Path(sign_key) if sign_key else None,
                                timedelta(days=stale_after))
    _write(render(outcome.report, ReportFormat(fmt)), output)
    if output or fmt == "table":
        counts = ", ".join(f"{k} {v}" for k, v in outcome.report.counts().items())
        click.echo(f"audit run {outcome.report.run}: {counts}; evidence "
                   f"{outcome.manifest.sha256[:12]}{' (signed)' if outcome.signed else ''}",
                   err=output is None and fmt != "table")
    failing = outcome.report.failing_at_least(Severity(fail_on)) if fail_on else []
    return EXIT_FINDINGS if failing else EXIT_OK


@audit_group.command("report")
@click.argument("run", type=int, required=False)
@FORMAT
@OUTPUT
@click.pass_context
def audit_report(ctx: click.Context, run: int | None, fmt: str, output: str | None) -> int:
    """Render a stored audit run (default: the latest) from its evidence manifest."""
    with _db(ctx) as db:
        report = service.report_of(db, run)
    _write(render(report, ReportFormat(fmt)), output)
    return EXIT_OK


def _write(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text)
        return
    try:
        Path(output).write_text(text)
    except OSError as exc:
        raise AuditProblem(f"{output}: cannot write the report: {exc.strerror}") from exc


# ---- waiver ---------------------------------------------------------------------------------

@click.group("waiver")
def waiver_group() -> None:
    """Accepted, expiring exceptions: a waived finding still shows in every report."""


@waiver_group.command("add")
@click.option("--rule", "check", required=True,
              help="Rule id or snapshot path to waive; '*' with --baseline waives all.")
@click.option("--baseline", help="Only in this baseline (default: any).")
@SELECTOR
@click.option("--reason", required=True, help="Why the deviation is accepted.")
@click.option("--requested-by", required=True)
@click.option("--approved-by", required=True, help="Not the requester.")
@click.option("--expires", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Last day it applies (YYYY-MM-DD), at most a year ahead.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def waiver_add(ctx: click.Context, check: str, baseline: str | None,
               selector: tuple[str, ...], reason: str, requested_by: str, approved_by: str,
               expires: datetime, as_json: bool) -> int:
    """Record an approved waiver (rules marked unwaivable are refused)."""
    now = _now()
    with _db(ctx) as db:
        closed = service.unwaivable_checks(db, now)
        waiver = waivers.add(db, check, _selector(selector), reason, requested_by,
                             approved_by, expires.date(), now, baseline, closed)
    if as_json:
        _emit(_waiver_row(waiver, now))
    else:
        click.echo(f"{waiver.id}: {check} waived until {waiver.expires} "
                   f"(approved by {waiver.approved_by})")
    return EXIT_OK


@waiver_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def waiver_list(ctx: click.Context, as_json: bool) -> int:
    """All waivers with their status: active, expired or revoked."""
    now = _now()
    with _db(ctx) as db:
        rows = [_waiver_row(w, now) for w in waivers.all_waivers(db)]
    if as_json:
        _emit(rows)
        return EXIT_OK
    table("Waivers", ["id", "rule", "baseline", "status", "expires", "requested",
                       "approved", "reason"],
           [[r["id"], r["check"], r["baseline"] or "*", r["status"], r["expires"],
             r["requested_by"], r["approved_by"], r["reason"]] for r in rows])
    return EXIT_OK


@waiver_group.command("revoke")
@click.argument("waiver_id")
@click.option("--by", required=True)
@click.pass_context
def waiver_revoke(ctx: click.Context, waiver_id: str, by: str) -> int:
    """End a waiver before it expires."""
    with _db(ctx) as db:
        waivers.revoke(db, waiver_id, by, _now())
    click.echo(f"{waiver_id}: revoked")
    return EXIT_OK


def _waiver_row(w: waivers.Waiver, now: datetime) -> dict[str, Any]:
    return {"id": w.id, "check": w.check, "baseline": w.baseline,
            "selector": dict(w.selector), "reason": w.reason,
            "requested_by": w.requested_by, "approved_by": w.approved_by,
            "expires": w.expires.isoformat(), "status": waivers.status(w, now).value}


# ---- evidence -------------------------------------------------------------------------------

@click.group("evidence")
def evidence_group() -> None:
    """Audit evidence: hash-chained manifests, optionally signed (Ed25519)."""


@evidence_group.command("keygen")
@click.option("--private", "private", required=True, type=click.Path(dir_okay=False))
@click.option("--public", "public", required=True, type=click.Path(dir_okay=False))
def evidence_keygen(private: str, public: str) -> int:
    """Write a new signing key pair (the private file is 0600; never overwrites)."""
    with _translated():
        evidence.generate_keypair(Path(private), Path(public))
    click.echo(f"private key {private} (keep it secret), public key {public} (for verify)")
    return EXIT_OK


@evidence_group.command("verify")
@click.option("--public-key", type=click.Path(exists=True, dir_okay=False),
              help="Check signatures with this key.")
@click.option("--require-signatures", is_flag=True, help="An unsigned manifest fails.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def evidence_verify(ctx: click.Context, public_key: str | None, require_signatures: bool,
                    as_json: bool) -> int:
    """Check the whole chain: hashes, links, findings digests, signatures. Names the
    first broken link; exit 1 when there is one."""
    with _db(ctx) as db:
        result = service.verify(db, Path(public_key) if public_key else None,
                                require_signatures)
    broken = result.first_broken
    if as_json:
        _emit({"ok": result.ok, "checked": result.checked, "signed": result.signed,
               "head_sha256": result.head_sha256,
               "first_broken": None if broken is None else {
                   "run": broken.run, "check": broken.check.value, "reason": broken.reason}})
    elif broken is None:
        click.echo(f"evidence OK: {result.checked} manifests, {result.signed} signatures "
                   f"verified; head {result.head_sha256}")
    else:
        click.echo(f"evidence BROKEN after {result.checked} good manifests: {broken.reason}")
    return EXIT_OK if result.ok else EXIT_FINDINGS


COMMANDS: tuple[click.Group, ...] = (baseline_group, audit_group, waiver_group,
                                     evidence_group)

# Registers `baseline intended|render` on baseline_group (kept apart for size).
from audit import cli_intended  # noqa: E402,F401
