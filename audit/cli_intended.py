"""`cmdb baseline intended|render`: intended-config baselines for network gear (the
work is in audit.service and audit.intended)."""

from __future__ import annotations

from pathlib import Path

import click

from audit import service
from audit.cli import (
    EXIT_OK,
    SELECTOR,
    Session,
    _db,
    _now,
    _resolve,
    _selector,
    _show_version,
    baseline_group,
)
from audit.intended import HIER_PLATFORMS, SCOPES
from audit.model import Severity

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@baseline_group.command("intended")
@click.argument("name")
@click.option("--platform", required=True, type=click.Choice(sorted(HIER_PLATFORMS)),
              help="Platform of the devices (their running config is parsed its way).")
@click.option("--template", required=True, type=_FILE,
              help="Jinja2 template of the intended config; sees `device` and `vars`.")
@click.option("--vars", "variables", type=_FILE,
              help="YAML: defaults, sites.<site>, devices.<hostname> (later ones win).")
@SELECTOR
@click.option("--scope", type=click.Choice(SCOPES), default="declared", show_default=True,
              help="declared: only sections the template has; full: also report "
                   "running sections it does not mention.")
@click.option("--severity", type=click.Choice([s.value for s in Severity]), default="medium",
              show_default=True, help="Severity of a section that differs.")
@click.option("--by", "author", required=True, help="Who proposes it (the author).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def baseline_intended(ctx: click.Context, name: str, platform: str, template: Path,
                      variables: Path | None, selector: tuple[str, ...], scope: str,
                      severity: str, author: str, as_json: bool) -> int:
    """A draft intended-config baseline NAME for the selected devices of PLATFORM.

    \b
    Each audit renders the template per device and compares it with the device's stored
    running config, section by section: lines missing and lines extra.
      cmdb baseline intended access-sw --platform cisco_ios --template access.j2 \\
          --vars access.yaml --selector role=network --selector site=dc1 --by alice
    """
    with _db(ctx) as db:
        version = service.create_intended(db, name, platform, template, variables,
                                          _selector(selector), scope, severity, author,
                                          _now())
    _show_version(version, as_json)
    return EXIT_OK


@baseline_group.command("render")
@click.argument("name")
@click.option("--ci", required=True, metavar="CI", help="Device uid, uid prefix or host name.")
@click.option("--version", type=int, help="Default: the latest version.")
@click.pass_context
def baseline_render(ctx: click.Context, name: str, ci: str, version: int | None) -> int:
    """Print the intended config baseline NAME renders for one device."""
    session: Session = ctx.obj
    store = session.store()
    uid = _resolve(store, ci)
    with _db(ctx) as db:
        click.echo(service.render_intended(store, db, name, uid, version), nl=False)
    return EXIT_OK
