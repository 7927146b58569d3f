"""`cmdb config versions|show|diff`: a device's running-configuration history (parsing and
rendering only; the work is in cmdb.config_history). `cli.py` registers the group and
hands over the graph store through `ctx.obj` (anything with `store()`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import click
from rich.text import Text

from cmdb import config_history as history
from cmdb.config_history import (
    ConfigDiff,
    ConfigHistoryError,
    ConfigVersion,
    SecretChange,
    SecretChangeKind,
    SnapshotRef,
)
from cmdb.render import out, table
from cmdb.store.base import GraphStore

EXIT_OK, EXIT_DIFFERENT, EXIT_USAGE = 0, 1, 3
_MARKS = {SecretChangeKind.CHANGED: "~", SecretChangeKind.ADDED: "+",
          SecretChangeKind.REMOVED: "-"}
_DIFF_STYLES = (("+++", "bold"), ("---", "bold"), ("@@", "cyan"), ("+", "green"),
                ("-", "red"))


class Session(Protocol):
    def store(self) -> GraphStore: ...


class ConfigProblem(click.ClickException):
    exit_code = EXIT_USAGE


@contextmanager
def _snapshot(ctx: click.Context, device: str, kind: str
              ) -> Iterator[tuple[SnapshotRef, list[ConfigVersion]]]:
    """The device's snapshot and its versions; unknown things exit 3 naming them."""
    session: Session = ctx.obj
    store = session.store()
    try:
        ref = history.find_snapshot(store, device, kind)
        yield ref, history.versions(store, ref)
    except ConfigHistoryError as exc:
        raise ConfigProblem(str(exc)) from exc
    finally:
        store.close()


def _pick(found: list[ConfigVersion], number: int | None, ref: SnapshotRef) -> ConfigVersion:
    try:
        return history.pick(found, number, ref)
    except ConfigHistoryError as exc:
        raise ConfigProblem(str(exc)) from exc


def _kind_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--kind", default="running", show_default=True, metavar="KIND",
                        help="Which configuration: running (or startup, where a "
                             "collector stores it).")(func)


def _json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True,
                        help="Print JSON (secret places only, never fingerprints).")(func)


@click.group("config")
def config_group() -> None:
    """Network devices' configuration history: every version discovery recorded,
    one version's text, and what changed between two.

    Configurations are stored redacted: secrets read <redacted>, and a keyed
    fingerprint per secret tells that a secret changed without storing it.
    DEVICE is a device uid, a uid prefix or a host name.

    \b
    Examples:
      cmdb config versions rtr1          every version, with the secrets that changed
      cmdb config show rtr1              the latest text (--version N for an older one)
      cmdb config diff rtr1              the last two versions (exit 1 if they differ)
      cmdb config diff rtr1 3 5          version 3 against version 5
    """


@config_group.command("versions")
@click.argument("device")
@_kind_option
@_json_option
@click.pass_context
def config_versions(ctx: click.Context, device: str, kind: str, as_json: bool) -> int:
    """List every version of DEVICE's configuration, oldest first.

    \b
    A new version is recorded when the text or a secret changes; "secrets" names the
    places whose secret changed (~), appeared (+) or went (-) since the version before.
      cmdb config versions rtr1
      cmdb config versions d-3f2a --json
    """
    with _snapshot(ctx, device, kind) as (ref, found):
        if as_json:
            _emit([version_row(v) for v in found])
            return EXIT_OK
        table(f"{ref.device_name} {ref.kind} configuration: {len(found)} versions",
              ["version", "run", "at", "sha256", "lines", "secrets", "note"],
              ([v.number, v.run, v.at[:19], v.short_sha, v.line_count,
                "\n".join(_secret_text(c) for c in v.secret_changes),
                f"same as version {v.same_as}" if v.same_as else ""] for v in found))
    return EXIT_OK


@config_group.command("show")
@click.argument("device")
@click.option("--version", "number", type=int, metavar="N",
              help="Version number as `cmdb config versions` lists it (default: latest).")
@_kind_option
@_json_option
@click.pass_context
def config_show(ctx: click.Context, device: str, number: int | None, kind: str,
                as_json: bool) -> int:
    """Print one version of DEVICE's configuration text (redacted).

    \b
    The text goes to standard output as stored, so it can be saved or compared;
    which version it is goes to standard error.
      cmdb config show rtr1
      cmdb config show rtr1 --version 2 > rtr1-v2.cfg
    """
    with _snapshot(ctx, device, kind) as (ref, found):
        version = _pick(found, number, ref)
        if as_json:
            _emit({**_ref_row(ref), **version_row(version), "text": version.text,
                   "secret_places": sorted(version.fingerprints)})
            return EXIT_OK
        click.echo(f"{ref.device_name} {ref.kind} configuration version {version.number} "
                   f"of {len(found)} (run {version.run}, {version.at[:19]}, sha256 "
                   f"{version.short_sha})", err=True)
        click.echo(version.text, nl=False)
    return EXIT_OK


@config_group.command("diff")
@click.argument("device")
@click.argument("old", type=int, required=False, metavar="[A]")
@click.argument("new", type=int, required=False, metavar="[B]")
@_kind_option
@_json_option
@click.pass_context
def config_diff(ctx: click.Context, device: str, old: int | None, new: int | None,
                kind: str, as_json: bool) -> int:
    """Show what changed in DEVICE's configuration from version A to version B.

    \b
    Without A and B: the last two versions; with A only: A against the latest.
    A unified diff whose hunk headers name the section changed (like diff -p), the
    secret places whose fingerprint changed, and lines added/removed per section
    where the platform is known. Exit 0 when identical, 1 when they differ.
      cmdb config diff rtr1
      cmdb config diff rtr1 2          version 2 against the latest
      cmdb config diff rtr1 2 4 --json
    """
    with _snapshot(ctx, device, kind) as (ref, found):
        if old is None:
            older, newer = found[-2] if len(found) > 1 else found[-1], found[-1]
        else:
            older, newer = _pick(found, old, ref), _pick(found, new, ref)
        result = history.diff(ref, older, newer)
        if as_json:
            _emit(diff_row(result))
        else:
            _print_diff(result, len(found))
    return EXIT_DIFFERENT if result.differs else EXIT_OK


# ---- rendering ----------------------------------------------------------------------------


def _emit(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True))


def _ref_row(ref: SnapshotRef) -> dict[str, Any]:
    return {"device": ref.device_name, "device_uid": ref.device_uid,
            "snapshot_uid": ref.snapshot_uid, "kind": ref.kind, "platform": ref.platform}


def version_row(version: ConfigVersion) -> dict[str, Any]:
    return {"version": version.number, "run": version.run, "at": version.at,
            "sha256": version.sha256, "line_count": version.line_count,
            "secret_changes": [_secret_row(c) for c in version.secret_changes],
            "same_as": version.same_as}


def diff_row(result: ConfigDiff) -> dict[str, Any]:
    sections = result.sections
    return {**_ref_row(result.ref), "old": version_row(result.old),
            "new": version_row(result.new), "differs": result.differs,
            "diff": list(result.lines),
            "secret_changes": [_secret_row(c) for c in result.secret_changes],
            "sections": None if sections is None else [
                {"section": s.section, "added": s.added, "removed": s.removed}
                for s in sections]}


def _secret_row(change: SecretChange) -> dict[str, str]:
    return {"place": change.place, "change": change.change.value}


def _secret_text(change: SecretChange) -> str:
    return f"{_MARKS[change.change]} {change.place}"


def _print_diff(result: ConfigDiff, recorded: int) -> None:
    old, new = result.old, result.new
    out.print(Text(f"{result.ref.device_name} {result.ref.kind} configuration: version "
                   f"{old.number} (run {old.run}, {old.at[:19]}) -> version {new.number} "
                   f"(run {new.run}, {new.at[:19]})", style="bold"))
    if not result.differs:
        out.print("No differences." if recorded > 1
                  else "No differences: only one version is recorded.")
        return
    for line in result.lines:
        style = next((s for prefix, s in _DIFF_STYLES if line.startswith(prefix)), "")
        out.print(Text(line, style=style))
    if result.secret_changes:
        out.print(Text("Secrets whose fingerprint changed (~), appeared (+) or went (-); "
                       "values are never stored:", style="bold"))
        for change in result.secret_changes:
            out.print(Text(f"  {_secret_text(change)}"))
    _print_sections(result)


def _print_sections(result: ConfigDiff) -> None:
    if result.sections is None:
        out.print(Text(f"No per-section summary: platform {result.ref.platform or 'unknown'} "
                       "is not one hier_config parses.", style="dim"))
    elif result.sections:
        table(f"Lines changed per section ({result.ref.platform})",
              ["section", "added", "removed"],
              ([s.section, s.added, s.removed] for s in result.sections))


COMMANDS: tuple[click.Group, ...] = (config_group,)
