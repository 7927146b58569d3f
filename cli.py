"""`cmdb`: discover what you run, keep its history, and audit it.

This module only parses options, calls one pipeline stage and renders the result
(DESIGN §2). Exit codes (DESIGN §8): 0 clean, 1 findings at or above --fail-on,
2 partial discovery failure, 3 usage or configuration error.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import yaml

from audit import service as audit_service
from audit.auditdb import AuditDb, AuditDbError
from audit.cli import COMMANDS as AUDIT_COMMANDS
from audit.evidence import EvidenceError
from cmdb.changeset import RunInfo
from cmdb.config_cli import COMMANDS as CONFIG_COMMANDS
from cmdb.ingest import ingest
from cmdb.render import changes_table, missed_text, out, print_detail, table
from cmdb.schema import RELATIONSHIPS, FactsError, stable_uid
from cmdb.schema_docs import render_markdown
from cmdb.store import GraphStore, StoreError, default_store_url, local_dir, open_store
from cmdb.store.impact import Direction
from cmdb.topology import update_topology
from cmdb.topology.report import (
    TopologyReport,
    report_to_dot,
    report_to_json,
    topology_report,
)
from cmdb.views import conflict_row, history_row, impact_row, node_detail, node_row, run_row
from discovery.platforms import build_platforms
from discovery.platforms.base import Platform
from discovery.progress import DiscoveryProgress
from discovery.result import DiscoveryResult, result_from_json, result_to_json
from discovery.runner import RunnerOptions, discover
from discovery.schedule import (
    Job,
    JobResult,
    Outcome,
    RunTicket,
    ScheduleBusy,
    ScheduleConfigError,
    Scheduler,
    ScheduleSpec,
    ShiftedClock,
    StateError,
    StateStore,
    SystemClock,
    history_json,
    parse_schedules,
    run_now,
    schedule_row,
    stop_on_signals,
)
from discovery.transports.base import Transport
from discovery.transports.cli import CliTransport, network_profiles
from discovery.transports.hostkeys import HostKeyPolicy
from discovery.transports.snmp import SnmpTransport
from discovery.transports.ssh import SshTransport
from inventory import (
    Inventory,
    InventoryError,
    SecretError,
    installation_key,
    load_inventory,
    parse_secret_ref,
    resolve_secret,
    target_summary,
)

EXIT_OK, EXIT_FINDINGS, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2, 3



class UsageProblem(click.ClickException):
    """A usage or configuration error: shown plainly, exit code 3."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Config:
    store: str | None = None
    defaults: dict[str, Any] | None = None
    schedules: tuple[ScheduleSpec, ...] = ()
    path: Path | None = None


def load_config(path: str | None, group: click.Group) -> Config:
    """Read the YAML config file: `store`, `schedules` (see discovery/schedule/spec.py)
    plus one section of option defaults per command (nested for command groups).
    Unknown sections or options are errors, not ignored."""
    default = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    chosen = Path(path) if path else default / "cmdb-auditor" / "config.yaml"
    if not path and not chosen.exists():
        return Config()
    try:
        data = yaml.safe_load(chosen.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UsageProblem(f"{chosen}: cannot read the config file: {exc}") from exc
    if not isinstance(data, dict):
        raise UsageProblem(f"{chosen}: expected a mapping of settings")
    store = data.pop("store", None)
    schedules = _schedules(chosen, data.pop("schedules", None))
    _check_section(chosen, group, data, "")
    return Config(str(store) if store else None, data, schedules, chosen)


def _schedules(path: Path, raw: object) -> tuple[ScheduleSpec, ...]:
    try:
        return parse_schedules(raw, path.parent)
    except ScheduleConfigError as exc:
        raise UsageProblem(f"{path}: {exc}") from exc


def _check_section(path: Path, command: click.Command, data: dict[str, Any],
                   where: str) -> None:
    for name, value in data.items():
        key = f"{where}{name}"
        if isinstance(command, click.Group) and name in command.commands:
            if not isinstance(value, dict):
                raise UsageProblem(f"{path}: {key}: expected a mapping of option defaults")
            _check_section(path, command.commands[name], value, f"{key}.")
        elif not any(p.name == name for p in command.params) or not where:
            known = sorted([p.name or "" for p in command.params if where]
                           + list(getattr(command, "commands", {})))
            raise UsageProblem(f"{path}: {key}: unknown setting (known here: "
                               f"{', '.join(known)})")


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"],
                               "auto_envvar_prefix": "CMDB"})
@click.option("--store", "store_url", envvar="CMDB_STORE", metavar="URL",
              help="Graph store: sqlite:PATH (default: $CMDB_STORE, the config file's "
                   "`store`, else ~/.local/share/cmdb-auditor/cmdb.sqlite).")
@click.option("--config", "config_file", envvar="CMDB_CONFIG", metavar="FILE",
              type=click.Path(dir_okay=False),
              help="YAML defaults per command, e.g. `discover: {concurrency: 16}` "
                   "(default: ~/.config/cmdb-auditor/config.yaml when it exists). "
                   "Command line beats CMDB_* variables, which beat this file.")
@click.option("--audit-db", envvar="CMDB_AUDIT_DB", metavar="FILE",
              type=click.Path(dir_okay=False),
              help="Baselines, waivers and audit evidence (default: audit.sqlite beside "
                   "an SQLite store, else in ~/.local/share/cmdb-auditor).")
@click.pass_context
def cli(ctx: click.Context, store_url: str | None, config_file: str | None,
        audit_db: str | None) -> None:
    """Discover servers over SSH into a configuration graph with full history,
    and audit it against approved baselines.

    \b
    Typical use:
      cmdb inventory check hosts.yaml      validate an inventory
      cmdb discover -i hosts.yaml          discover and store what was found
      cmdb ci list --label Device          what the graph holds
      cmdb ci show web01                   one CI, with provenance
      cmdb ci history web01                every change of that CI
      cmdb runs / cmdb diff 3 4            what runs reached, what changed
      cmdb baseline capture gold --ci web01 --by alice; cmdb baseline approve gold --by bob
      cmdb audit run --fail-on high        findings against approved baselines
    """
    config = load_config(config_file, cli)
    ctx.default_map = config.defaults
    ctx.obj = Session(store_url or config.store or default_store_url(), audit_db,
                      config.schedules, config.path)


def _store_secret(reference: str) -> str:
    return resolve_secret(parse_secret_ref(reference, "store password"))


@dataclass(frozen=True)
class Session:
    """What every command gets in `ctx.obj`: the store it works on."""

    store_url: str
    audit_db: str | None = None
    schedules: tuple[ScheduleSpec, ...] = ()
    config_path: Path | None = None  # the config file read, if any

    def __str__(self) -> str:
        return self.store_url

    def store(self) -> GraphStore:
        try:
            return open_store(self.store_url, _store_secret)
        except StoreError as exc:
            raise UsageProblem(str(exc)) from exc

    def audit_db_path(self) -> Path:
        """Baselines, waivers and audit evidence: beside the graph store by default."""
        return Path(self.audit_db) if self.audit_db else local_dir(self.store_url) / "audit.sqlite"


def _store(ctx: click.Context) -> GraphStore:
    session: Session = ctx.obj
    return session.store()


# ---- inventory ----------------------------------------------------------------------


@cli.group()
def inventory() -> None:
    """Validate inventories (targets, groups, credential references)."""


@inventory.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the flattened targets as JSON.")
def inventory_check(files: tuple[str, ...], as_json: bool) -> int:
    """Load FILES, flatten groups, expand CIDR ranges and show the targets.

    Credentials are shown as references (env:NAME, file:PATH); nothing is resolved.
    """
    try:
        inv = load_inventory(files)
    except InventoryError as exc:
        raise UsageProblem(str(exc)) from exc
    rows = [target_summary(t) for t in inv.targets]
    if as_json:
        _emit_json(rows)
        return EXIT_OK
    table(f"{len(rows)} targets from {', '.join(files)}",
           ["name", "address", "platform", "port", "site", "role", "tags", "credentials"],
           ([r["name"], r["address"], r["platform"], r["port"], r["site"], r["role"],
             ",".join(r["tags"]), _credentials_text(r["credentials"])] for r in rows))
    return EXIT_OK


def _credentials_text(creds: Any) -> str:
    return " ".join(f"{k}={v}" for k, v in dict(creds).items() if v)


# ---- discovery ----------------------------------------------------------------------


@cli.command("discover")
@click.option("-i", "--inventory", "inventories", multiple=True, required=True,
              type=click.Path(dir_okay=False), help="Inventory YAML file (repeatable).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False),
              help="Also write the full discovery result (facts and errors) to this file.")
@click.option("--record", "record_dir", type=click.Path(file_okay=False),
              help="Record every raw command output under DIR/<target>/<collector>/.")
@click.option("--concurrency", default=8, show_default=True, type=click.IntRange(1, 512),
              help="Targets discovered at once.")
@click.option("--timeout", default=120.0, show_default=True, type=click.FloatRange(1),
              help="Seconds allowed per target (connect and all collectors).")
@click.option("--command-timeout", default=30.0, show_default=True, type=click.FloatRange(1))
@click.option("--connect-timeout", default=10.0, show_default=True, type=click.FloatRange(1))
@click.option("--retries", default=2, show_default=True, type=click.IntRange(0, 10),
              help="Extra connect attempts on connection errors (never on auth errors).")
@click.option("--known-hosts", type=click.Path(dir_okay=False),
              help="OpenSSH known_hosts file to verify host keys (default ~/.ssh/known_hosts).")
@click.option("--trust-on-first-use", is_flag=True,
              help="Pin unknown host keys to the pin file; a CHANGED key is still refused.")
@click.option("--pin-file", type=click.Path(dir_okay=False),
              help="Where trust-on-first-use pins keys (default: beside the store).")
@click.option("--key-file", type=click.Path(dir_okay=False),
              help="This installation's secret key, used to fingerprint secrets redacted "
                   "from configs (created 0600 if missing; default: beside the store).")
@click.option("--snmp-timeout", default=2.0, show_default=True, type=click.FloatRange(0.1),
              help="Seconds to wait for each SNMP answer before retrying.")
@click.option("--snmp-retries", default=1, show_default=True, type=click.IntRange(0, 10),
              help="Extra tries of an unanswered SNMP request.")
@click.option("--no-store", is_flag=True, help="Discover only; do not write the graph.")
@click.pass_context
def discover_cmd(ctx: click.Context, inventories: tuple[str, ...], json_file: str | None,
                 record_dir: str | None, concurrency: int, timeout: float,
                 command_timeout: float, connect_timeout: float, retries: int,
                 known_hosts: str | None, trust_on_first_use: bool, pin_file: str | None,
                 key_file: str | None, snmp_timeout: float, snmp_retries: int,
                 no_store: bool) -> int:
    """Discover the inventory's targets over SSH or SNMP and store what was found.

    Each target's platform says what is asked: `linux` over SSH; the network CLIs
    (cisco_ios, cisco_nxos, arista_eos, juniper_junos, huawei_vrp, hp_comware) over SSH
    with read-only show/display commands; `generic_snmp` with `transport: snmp`.
    Prints a status table per target at the end. Exit code 2 when any target or
    collector failed (the others are stored all the same), 3 on bad input.
    """
    inv = _load_inventory(inventories)
    store = None if no_store else _store(ctx)
    settings = DiscoverSettings(concurrency, timeout, command_timeout, connect_timeout, retries,
                                known_hosts, trust_on_first_use, pin_file, key_file,
                                snmp_timeout, snmp_retries, record_dir)
    transports, options = _discovery_plan(ctx, settings)
    run = store.begin_run("discovery", datetime.now(UTC)) if store else 0
    with DiscoveryProgress(len(inv.targets)) as progress:
        result = discover(inv, transports, options, progress.done)
    if json_file:
        Path(json_file).write_text(json.dumps(result_to_json(result), indent=2))
    _print_status(result)
    if store is not None:
        _store_result(store, result, run)
    return EXIT_PARTIAL if result.failed else EXIT_OK


def _load_inventory(files: Sequence[str | Path]) -> Inventory:
    try:
        return load_inventory(files)
    except InventoryError as exc:
        raise UsageProblem(str(exc)) from exc


@dataclass(frozen=True)
class DiscoverSettings:
    """How `cmdb discover` reaches targets; scheduled runs use the same settings."""

    concurrency: int = 8
    timeout: float = 120.0
    command_timeout: float = 30.0
    connect_timeout: float = 10.0
    retries: int = 2
    known_hosts: str | None = None
    trust_on_first_use: bool = False
    pin_file: str | None = None
    key_file: str | None = None
    snmp_timeout: float = 2.0
    snmp_retries: int = 1
    record_dir: str | None = None


def _discovery_plan(ctx: click.Context, settings: DiscoverSettings
                    ) -> tuple[dict[str, Transport], RunnerOptions]:
    s = settings
    policy = HostKeyPolicy(
        known_hosts=Path(s.known_hosts) if s.known_hosts else _default_known_hosts(),
        pin_file=Path(s.pin_file) if s.pin_file else _default_pin_file(str(ctx.obj)),
        trust_on_first_use=s.trust_on_first_use)
    platforms = build_platforms(_installation_key(s.key_file, ctx))
    options = RunnerOptions(s.concurrency, s.timeout, s.command_timeout, s.connect_timeout,
                            s.retries, record_dir=Path(s.record_dir) if s.record_dir else None,
                            platforms=platforms)
    return _transports(policy, platforms, s), options


def _transports(policy: HostKeyPolicy, platforms: Mapping[str, Platform],
                s: DiscoverSettings) -> dict[str, Transport]:
    return {
        "ssh": SshTransport(host_keys=policy, connect_timeout=s.connect_timeout,
                            resolve_secret=resolve_secret),
        "cli": CliTransport(network_profiles(platforms), host_keys=policy,
                            resolve_secret=resolve_secret, connect_timeout=s.connect_timeout),
        "snmp": SnmpTransport(resolve_secret=resolve_secret, timeout=s.snmp_timeout,
                              retries=s.snmp_retries),
    }


def _default_known_hosts() -> Path | None:
    path = Path.home() / ".ssh" / "known_hosts"
    return path if path.exists() else None


def _default_pin_file(store_url: str) -> Path:
    return local_dir(store_url) / "pinned_host_keys"


def _installation_key(key_file: str | None, ctx: click.Context) -> bytes:
    try:
        return installation_key(key_file or local_dir(str(ctx.obj)) / "installation.key")
    except SecretError as exc:
        raise UsageProblem(str(exc)) from exc


def _print_status(result: DiscoveryResult) -> None:
    rows = []
    for t in result.targets:
        ok = sum(1 for c in t.collectors if c.ok)
        why = str(t.error) if t.error else "; ".join(
            f"{c.name}: {c.error}" for c in t.collectors if c.error)
        rows.append([t.target, t.address, t.status, t.transport if t.reached else "-",
                     f"{ok}/{len(t.collectors)}", f"{t.seconds:.1f}s", why or ""])
    table("Discovery", ["target", "address", "status", "protocol", "collectors ok",
                         "time", "why"], rows)


def _store_result(store: GraphStore, result: DiscoveryResult, run: int) -> None:
    info = RunInfo(run, "discovery", result.started_at, result.finished_at, result.outcomes())
    changeset, summary = ingest(store, result.target_facts(), info)
    out.print(f"run {summary.run}: {summary.nodes_created} CIs created, "
              f"{summary.properties_changed} properties changed, "
              f"{summary.nodes_absent} marked absent, {summary.rels_added} relationships "
              f"added, {summary.rels_removed} removed")
    for conflict in changeset.conflicts:
        out.print(f"[yellow]identity conflict[/] ({conflict.kind}) {conflict.target}: "
                  f"{conflict.detail}")
    topology = update_topology(store, info)
    if topology.links or topology.attachments or topology.pending or topology.links_removed:
        out.print(f"topology: {topology.links} links (+{topology.links_added} "
                  f"-{topology.links_removed}), {topology.attachments} endpoints attached "
                  f"(+{topology.attachments_added} -{topology.attachments_removed}), "
                  f"{topology.pending} neighbours pending")


@cli.command("ingest")
@click.argument("result_file", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def ingest_cmd(ctx: click.Context, result_file: str) -> int:
    """Store a saved discovery result (from `cmdb discover --json FILE`)."""
    try:
        result = result_from_json(json.loads(Path(result_file).read_text()))
    except (ValueError, KeyError, TypeError, FactsError) as exc:
        raise UsageProblem(f"{result_file}: not a valid discovery result: {exc}") from exc
    store = _store(ctx)
    _store_result(store, result, store.begin_run("ingest", datetime.now(UTC)))
    return EXIT_PARTIAL if result.failed else EXIT_OK


# ---- reading the graph --------------------------------------------------------------


@cli.group()
def ci() -> None:
    """List, show and trace configuration items."""


@ci.command("list")
@click.option("--label", help="CI class, e.g. Device, Package, Interface.")
@click.option("--role", help="Device role, e.g. server.")
@click.option("--platform", help="Device platform, e.g. linux.")
@click.option("--site", help="Only devices located in this site.")
@click.option("--all", "include_absent", is_flag=True, help="Include CIs marked absent.")
@click.option("--as-of", type=int, metavar="RUN", help="The graph as that run left it.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def ci_list(ctx: click.Context, label: str | None, role: str | None, platform: str | None,
            site: str | None, include_absent: bool, as_of: int | None, as_json: bool) -> int:
    """List CIs (by default, devices when a device filter is given, else all)."""
    where = {k: v for k, v in (("role", role), ("platform", platform)) if v}
    if (where or site) and label is None:
        label = "Device"
    linked = ("LOCATED_IN", _site_uid(site)) if site else None
    records = _store(ctx).nodes(label, where, linked, include_absent, as_of)
    rows = [node_row(r) for r in records]
    if as_json:
        _emit_json(rows)
        return EXIT_OK
    table(f"{len(rows)} CIs", ["uid", "label", "name", "status", "last run"],
           ([r["uid"], r["label"], r["name"], r["status"], r["last_run"]] for r in rows))
    return EXIT_OK


def _site_uid(site: str) -> str:
    return stable_uid("Site", site)


def _resolve(store: GraphStore, ref: str) -> str:
    found = store.resolve(ref)
    if not found:
        raise UsageProblem(f"no CI matches {ref!r} (give a uid, a uid prefix or a host name)")
    if len(found) > 1:
        raise UsageProblem(f"{ref!r} matches {len(found)} CIs: {', '.join(found[:10])}")
    return found[0]


@ci.command("show")
@click.argument("ref", metavar="CI")
@click.option("--as-of", type=int, metavar="RUN", help="The CI as that run left it.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def ci_show(ctx: click.Context, ref: str, as_of: int | None, as_json: bool) -> int:
    """Show one CI (uid, uid prefix or host name): properties with provenance,
    values other sources reported, and relationships."""
    store = _store(ctx)
    record = store.get(_resolve(store, ref), as_of)
    if record is None:
        raise UsageProblem(f"{ref!r} did not exist as of run {as_of}")
    detail = node_detail(store, record, as_of)
    if as_json:
        _emit_json(detail)
        return EXIT_OK
    print_detail(record, detail)
    return EXIT_OK


@ci.command("history")
@click.argument("ref", metavar="CI")
@click.option("--only", "only_self", is_flag=True, help="Leave out the CIs it owns.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def ci_history(ctx: click.Context, ref: str, only_self: bool, as_json: bool) -> int:
    """Every recorded change of a CI (and of the CIs it owns), oldest first."""
    store = _store(ctx)
    entries = [history_row(e) for e in store.history(_resolve(store, ref), not only_self)]
    if as_json:
        _emit_json(entries)
        return EXIT_OK
    changes_table(f"History of {ref}", entries)
    return EXIT_OK


@cli.command("impact")
@click.argument("ref", metavar="CI")
@click.option("--type", "types", multiple=True, metavar="REL",
              help="Relationship type to follow (repeatable; default: all), e.g. DEPENDS_ON.")
@click.option("--direction", type=click.Choice([d.value for d in Direction]), default="both",
              show_default=True, help="out: what CI uses or owns; in: what uses or owns CI.")
@click.option("--depth", default=3, show_default=True, type=click.IntRange(1, 10))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def impact_cmd(ctx: click.Context, ref: str, types: tuple[str, ...], direction: str,
               depth: int, as_json: bool) -> int:
    """What a CI reaches over the graph, each with the path that explains why."""
    unknown = sorted(set(types) - set(RELATIONSHIPS))
    if unknown:
        raise UsageProblem(f"unknown relationship type(s) {unknown}; known: "
                           f"{', '.join(sorted(RELATIONSHIPS))}")
    store = _store(ctx)
    found = store.impact(_resolve(store, ref), types, Direction(direction), depth)
    rows = [impact_row(store, found.root, hit) for hit in found.hits]
    if as_json:
        _emit_json(rows)
        return EXIT_OK
    table(f"{len(rows)} CIs reached from {ref} ({direction}, depth {depth})",
          ["depth", "CI", "uid", "path"],
          ([r["depth"], f"{r['label']} {r['name']}", r["uid"], r["explanation"]] for r in rows))
    return EXIT_OK


@cli.command("topology")
@click.option("--site", help="Only links, attachments and pending neighbours touching a "
                             "device at this site.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "dot"]), default="text",
              show_default=True, help="dot: Graphviz, e.g. `cmdb topology --format dot | "
                                      "dot -Tsvg > net.svg`.")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.pass_context
def topology_cmd(ctx: click.Context, site: str | None, fmt: str, as_json: bool) -> int:
    """The layer-2 topology discovery found: links between interfaces (from LLDP/CDP, both
    ends in the graph), endpoints attached to switch ports (from MAC and ARP tables), each
    with the runs that first and last saw it, and the neighbours still pending (far end
    not in the graph, or not uniquely) with the reason.

    It is re-derived after every `cmdb discover` or `cmdb ingest`.
    """
    report = topology_report(_store(ctx), site)
    if as_json or fmt == "json":
        _emit_json(report_to_json(report))
    elif fmt == "dot":
        click.echo(report_to_dot(report), nl=False)
    else:
        _print_topology(report)
    return EXIT_OK


def _print_topology(report: TopologyReport) -> None:
    table(f"{len(report.links)} links", ["device", "port", "device", "port", "first run",
                                         "last run"],
          ([r.a.device, r.a.port, r.b.device, r.b.port, r.first_run, r.last_run]
           for r in report.links))
    table(f"{len(report.attachments)} endpoints attached", [
        "endpoint", "interface", "switch", "port", "first run", "last run"],
        ([r.a.device, r.a.port, r.b.device, r.b.port, r.first_run, r.last_run]
         for r in report.attachments))
    if report.pending:
        table(f"{len(report.pending)} neighbours pending", [
            "device", "port", "protocol", "neighbour", "its port", "why"],
            ([r.device, r.local_port, r.protocol, r.remote_device, r.remote_port, r.reason]
             for r in report.pending))


@cli.group("store")
def store_group() -> None:
    """Look after the graph store: counts, migration between stores."""


@store_group.command("info")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def store_info(ctx: click.Context, as_json: bool) -> int:
    """How much the store holds: CIs, relationships, history entries, runs, ..."""
    found = _store(ctx).counts()
    if as_json:
        _emit_json(found)
        return EXIT_OK
    table(f"Store {_safe_url(str(ctx.obj))}", ["what", "count"], sorted(found.items()))
    return EXIT_OK


@store_group.command("migrate")
@click.option("--from", "source_url", required=True, metavar="URL",
              help="The store to copy, e.g. sqlite:~/.local/share/cmdb-auditor/cmdb.sqlite")
@click.option("--to", "target_url", required=True, metavar="URL",
              help="An EMPTY store to fill, e.g. neo4j://neo4j@db:7687?password=env:NEO4J_PW")
@click.option("--json", "as_json", is_flag=True)
def store_migrate(source_url: str, target_url: str, as_json: bool) -> int:
    """Copy a whole graph with its history into another store, then verify the counts.

    Exit code 2 when the counts differ after the copy.
    """
    try:
        source = open_store(source_url, _store_secret)
        target = open_store(target_url, _store_secret)
        target.import_graph(source.export_graph())
    except StoreError as exc:
        raise UsageProblem(str(exc)) from exc
    before, after = source.counts(), target.counts()
    rows = [{"what": k, "source": before[k], "target": after.get(k), "ok": before[k] ==
             after.get(k)} for k in sorted(before)]
    if as_json:
        _emit_json(rows)
    else:
        table("Migration", ["what", "source", "target", "ok"],
              ([r["what"], r["source"], r["target"], "yes" if r["ok"] else "NO"] for r in rows))
    return EXIT_OK if all(r["ok"] for r in rows) else EXIT_PARTIAL


def _safe_url(url: str) -> str:
    return url.split("?", 1)[0]


@cli.command("schema")
def schema_cmd() -> int:
    """Print the schema documentation (Markdown): every CI class, its key, owner and
    properties, the relationships, and how history and each store keep them."""
    click.echo(render_markdown())
    return EXIT_OK


@cli.command("runs")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def runs_cmd(ctx: click.Context, limit: int, as_json: bool) -> int:
    """Recent runs: what each reached, what it missed and why."""
    rows = [run_row(r) for r in _store(ctx).runs(limit)]
    if as_json:
        _emit_json(rows)
        return EXIT_OK
    table("Runs", ["run", "kind", "status", "started", "reached", "changes", "missed / failed"],
           ([r["run"], r["kind"], r["status"], r["started_at"][:19],
             f"{r['reached']}/{r['targets']}", r["changes"], missed_text(r)] for r in rows))
    return EXIT_OK


@cli.command("diff")
@click.argument("run_a", type=int)
@click.argument("run_b", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def diff_cmd(ctx: click.Context, run_a: int, run_b: int, as_json: bool) -> int:
    """Net changes of the graph after RUN_A up to RUN_B."""
    if run_b <= run_a:
        raise UsageProblem(f"RUN_B ({run_b}) must come after RUN_A ({run_a})")
    entries = [history_row(e) for e in _store(ctx).diff(run_a, run_b)]
    if as_json:
        _emit_json(entries)
        return EXIT_OK
    changes_table(f"Changes after run {run_a} up to run {run_b}", entries)
    return EXIT_OK


@cli.command("conflicts")
@click.option("--run", type=int, help="Only conflicts recorded by this run.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def conflicts_cmd(ctx: click.Context, run: int | None, as_json: bool) -> int:
    """Identity conflicts waiting for review (never merged silently)."""
    rows = [conflict_row(c) for c in _store(ctx).conflicts(run)]
    if as_json:
        _emit_json(rows)
        return EXIT_OK
    table("Identity conflicts", ["kind", "target", "evidence", "candidates", "detail"],
           ([r["kind"], r["target"], r["evidence"], ", ".join(r["candidates"]), r["detail"]]
            for r in rows))
    return EXIT_OK


# ---- schedules ----------------------------------------------------------------------


@cli.group("schedule")
def schedule_group() -> None:
    """Scheduled discovery: the `schedules:` of the config file.

    \b
      cmdb schedule list                 next fire time, last run, skipped and missed runs
      cmdb schedule run-now NAME         run one now, in the foreground
      cmdb schedule history NAME         its runs (with their store run), skips, misses
      cmdb scheduler run                 the long-running process that fires them on time
    """


@schedule_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def schedule_list(ctx: click.Context, as_json: bool) -> int:
    """Every schedule: cron and time zone, next fire time, the last run with its outcome
    and store run, how many fire times were skipped (its previous run was still going)
    and missed (no scheduler was running)."""
    session: Session = ctx.obj
    state, now = _schedule_state(ctx), datetime.now(UTC)
    state.sweep(now)
    rows = [schedule_row(spec, state.state(spec.name), now) for spec in session.schedules]
    if as_json:
        _emit_json(rows)
        return EXIT_OK
    table(f"{len(rows)} schedules in {session.config_path or 'no config file'}",
          ["schedule", "cron", "next fire", "last run", "store run", "skipped", "missed"],
          (_schedule_cells(r) for r in rows))
    return EXIT_OK


def _schedule_cells(row: dict[str, Any]) -> list[Any]:
    last = row["running"] or row["last_run"]
    run = f"{last['id']} {last['outcome']} {last['started_at'][:16]}" if last else "-"
    return [row["name"], f"{row['cron']} ({row['timezone']})", row["next_fire_local"] or "never",
            run, last["store_run"] if last else "-", row["skips"], row["missed"]]


@schedule_group.command("history")
@click.argument("name")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def schedule_history(ctx: click.Context, name: str, limit: int, as_json: bool) -> int:
    """The latest runs of schedule NAME (and the store run each wrote), the fire times it
    skipped and why, and the fire times missed while no scheduler was running."""
    spec = _schedule(ctx, name)
    found = history_json(_schedule_state(ctx), spec.name, limit)
    if as_json:
        _emit_json(found)
        return EXIT_OK
    table(f"Runs of {name}", ["run", "trigger", "fire time", "started", "outcome", "reached",
                              "store run", "audit run", "detail"],
          ([r["id"], r["trigger"], r["fire_time"] or "-", r["started_at"][:19], r["outcome"],
            f"{r['reached']}/{r['targets']}", r["store_run"], r["audit_run"], r["detail"] or ""]
           for r in found["runs"]))
    table("Skipped", ["fire time", "at", "why"],
          ([r["fire_time"], r["at"][:19], r["reason"]] for r in found["skips"]))
    table("Missed (no scheduler running)", ["first", "last", "count", "caught up by run"],
          ([r["first"], r["last"], f"{r['count']}{'+' if r['at_least'] else ''}",
            r["caught_up_by"] or "-"] for r in found["missed"]))
    return EXIT_OK


@schedule_group.command("run-now")
@click.argument("name")
@click.pass_context
def schedule_run_now(ctx: click.Context, name: str) -> int:
    """Run schedule NAME now, in the foreground: discover its selection, store it (and
    audit, with `audit: true`). Refused (exit 3) while a run of NAME is going, here or in
    `cmdb scheduler run`. Exit 2 when a target or the audit failed."""
    spec = _schedule(ctx, name)
    _log_to_stderr()
    try:
        row = run_now(spec, _schedule_state(ctx), _schedule_job(ctx, show_status=True),
                      SystemClock())
    except ScheduleBusy as exc:
        raise UsageProblem(str(exc)) from exc
    if row.outcome is Outcome.FAILED:
        raise UsageProblem(f"schedule {name}: run {row.id} failed: {row.detail}")
    return EXIT_OK if row.outcome is Outcome.OK else EXIT_PARTIAL


@cli.group("scheduler")
def scheduler_group() -> None:
    """The long-running process that fires the schedules on time."""


@scheduler_group.command("run")
@click.option("--once-at", metavar="TIME",
              help="Look at the schedules once as if it were TIME, a past time (ISO 8601; "
                   "UTC when no offset is given), run what is due then, wait for it, exit.")
@click.pass_context
def scheduler_run(ctx: click.Context, once_at: str | None) -> int:
    """Fire the config file's schedules on time until SIGTERM or SIGINT, logging every
    start, end, skip and miss to stderr.

    A schedule never starts while its previous run is going (the skip is recorded). Fire
    times that passed while no scheduler ran are recorded as missed, not run (`catch_up:
    true`: one coalesced run). On the first SIGTERM/SIGINT nothing new starts and the
    runs in progress finish; a second one marks them abandoned and exits at once (2).
    """
    session: Session = ctx.obj
    if not session.schedules:
        raise UsageProblem(f"{session.config_path or 'no config file'}: no `schedules:` "
                           "to run")
    _log_to_stderr()
    clock = ShiftedClock(_instant(once_at)) if once_at else SystemClock()
    scheduler = Scheduler(session.schedules, _schedule_state(ctx), _schedule_job(ctx), clock)
    if once_at:
        return _run_once(scheduler)
    stop = threading.Event()
    stop_on_signals(scheduler, stop, EXIT_PARTIAL)
    scheduler.run_forever(stop)
    return EXIT_OK


def _run_once(scheduler: Scheduler) -> int:
    started = [d.run.id for d in scheduler.tick() if d.run is not None]
    scheduler.join()
    outcomes = {scheduler.state.run(run_id).outcome for run_id in started}
    return EXIT_OK if outcomes <= {Outcome.OK} else EXIT_PARTIAL


def _schedule(ctx: click.Context, name: str) -> ScheduleSpec:
    session: Session = ctx.obj
    for spec in session.schedules:
        if spec.name == name:
            return spec
    raise UsageProblem(f"no schedule {name!r} in {session.config_path or 'the config file'} "
                       f"(known: {', '.join(s.name for s in session.schedules) or 'none'})")


def _schedule_state(ctx: click.Context) -> StateStore:
    try:
        return StateStore(local_dir(str(ctx.obj)) / "scheduler.sqlite")
    except StateError as exc:
        raise UsageProblem(str(exc)) from exc


def _log_to_stderr() -> None:
    """The scheduler's lines (start, end, skip, miss) at INFO; libraries only warn."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger = logging.getLogger("cmdb")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise UsageProblem(f"--once-at {text!r}: expected an ISO 8601 time such as "
                           "2026-03-29T02:00:00+01:00") from exc
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if moment > datetime.now(UTC):  # the state would hold every fire time until then done
        raise UsageProblem(f"--once-at {text!r} is in the future")
    return moment


def _schedule_job(ctx: click.Context, show_status: bool = False) -> Job:
    """What a scheduled run does: `cmdb discover` of the schedule's selection, with the
    discover settings `cmdb discover` would use, then `cmdb audit run` if asked."""
    base = _discover_settings(ctx)

    def job(spec: ScheduleSpec, ticket: RunTicket) -> JobResult:
        settings = replace(base, concurrency=spec.concurrency, timeout=spec.timeout)
        try:
            return _scheduled_run(ctx, settings, spec, ticket, show_status)
        except UsageProblem as exc:
            return JobResult.failure(exc.message)

    return job


def _discover_settings(ctx: click.Context) -> DiscoverSettings:
    """`cmdb discover`'s options as it would see them with nothing on the command line:
    CMDB_DISCOVER_* variables, else the config file's `discover:` section, else defaults."""
    sub = discover_cmd.make_context("discover", ["--inventory", "(schedule)"],
                                    parent=ctx.find_root())
    return DiscoverSettings(**{f.name: sub.params[f.name] for f in fields(DiscoverSettings)})


def _scheduled_run(ctx: click.Context, settings: DiscoverSettings, spec: ScheduleSpec,
                   ticket: RunTicket, show_status: bool) -> JobResult:
    inventory = _selected_targets(spec)
    transports, options = _discovery_plan(ctx, settings)
    store = _store(ctx)
    try:
        with ticket.writer:
            run = store.begin_run("discovery", datetime.now(UTC))
        ticket.link_store_run(run)
        result = discover(inventory, transports, options)
        if show_status:
            _print_status(result)
        with ticket.writer:  # one writer at a time, also for the audit's evidence chain
            _store_result(store, result, run)
            audit_run, audit_note = _scheduled_audit(ctx, store) if spec.audit else (None, None)
    finally:
        store.close()
    return _job_result(result, run, audit_run, audit_note)


def _selected_targets(spec: ScheduleSpec) -> Inventory:
    everything = _load_inventory(spec.inventory)
    chosen = spec.select.select(everything)
    if not chosen.targets:
        raise UsageProblem(f"schedule {spec.name}: select {spec.select.to_json()} matches "
                           f"none of the {len(everything.targets)} targets of "
                           f"{', '.join(map(str, spec.inventory))}")
    return chosen


def _scheduled_audit(ctx: click.Context, store: GraphStore) -> tuple[int | None, str]:
    """`cmdb audit run` against every effective baseline. A problem is noted, not raised:
    the discovery is stored either way."""
    session: Session = ctx.obj
    try:
        with AuditDb(session.audit_db_path()) as db:
            done = audit_service.audit(store, db, (), datetime.now(UTC))
    except (ValueError, AuditDbError, EvidenceError) as exc:  # the audit's own errors
        return None, f"audit failed: {exc}"
    counts = ", ".join(f"{k} {v}" for k, v in done.report.counts().items())
    return done.report.run, f"audit run {done.report.run}: {counts}"


def _job_result(result: DiscoveryResult, run: int, audit_run: int | None,
                audit_note: str | None) -> JobResult:
    failed = [t.target for t in result.targets if t.status != "ok"]
    notes = [f"failed: {', '.join(failed[:10])}{' ...' if len(failed) > 10 else ''}"
             ] if failed else []
    notes += [audit_note] if audit_note else []
    audit_failed = audit_note is not None and audit_run is None
    return JobResult(Outcome.PARTIAL if failed or audit_failed else Outcome.OK,
                     len(result.targets), sum(1 for t in result.targets if t.reached),
                     len(failed), run, audit_run, "; ".join(notes) or None)


for _group in (*AUDIT_COMMANDS, *CONFIG_COMMANDS):
    cli.add_command(_group)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: click's own usage errors exit 3 here, as DESIGN §8 asks."""
    try:
        code = cli.main(args=argv, prog_name="cmdb", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


if __name__ == "__main__":
    main()
