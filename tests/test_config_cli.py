"""`cmdb config versions|show|diff` through click against an SQLite store holding the
recorded IOS running config, edited between runs (tests/cmdb/test_config_history.py).

Most tests invoke the group with click's CliRunner the way cli.main runs commands
(standalone_mode=False: a command's return value is the exit code, a ClickException
exits 3); the last ones go through the installed `cmdb` command as a user would."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from rich.console import Console

from cmdb import config_cli
from cmdb.config_cli import config_group
from cmdb.store import GraphStore, open_store
from cmdb.store.sqlite import SqliteStore
from tests.cmdb.test_config_history import (
    IOS_CASE,
    IOS_NEW_DESCRIPTION,
    IOS_OLD_DESCRIPTION,
    IOS_VTY_PLACE,
    ios_history,
    ios_run,
    read_secrets,
    recorded,
    stored_text,
)
from tests.cmdb_command import Cmdb

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Session:
    """What cli.py hands commands in ctx.obj (the part this group uses)."""

    store_url: str

    def store(self) -> GraphStore:
        return open_store(self.store_url)


@dataclass(frozen=True)
class Done:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Session, list[str]]:
    """rtr1 over five runs: original, unchanged, edited, new VTY password, original."""
    path = tmp_path_factory.mktemp("config-cli") / "cmdb.sqlite"
    store = SqliteStore(path)
    texts = ios_history(store)
    store.close()
    return Session(f"sqlite:{path}"), texts


def config(session: Session, *args: str) -> Done:
    result = CliRunner().invoke(config_group, list(args), obj=session, standalone_mode=False)
    if isinstance(result.exception, click.ClickException):
        return Done(result.exception.exit_code, result.stdout,
                    result.stderr + result.exception.format_message())
    if result.exception is not None:
        raise result.exception
    return Done(int(result.return_value), result.stdout, result.stderr)


def test_versions_lists_each_version_with_its_secret_places(
        history: tuple[Session, list[str]]) -> None:
    session, _ = history
    rows = config(session, "versions", "rtr1", "--json").json()
    assert [(r["version"], r["run"], r["same_as"]) for r in rows] == [
        (1, 1, None), (2, 3, None), (3, 4, None), (4, 5, 1)]
    assert rows[2]["secret_changes"] == [{"place": IOS_VTY_PLACE, "change": "changed"}]
    table = config(session, "versions", "rtr1")
    assert table.code == 0
    assert "4 versions" in table.stdout and "~ line vty 0 4 > password 7 <redacted>" in table.stdout
    assert "same as version 1" in table.stdout


def test_show_prints_the_stored_text_exactly(history: tuple[Session, list[str]]) -> None:
    session, texts = history
    shown = config(session, "show", "rtr1", "--version", "2")
    assert shown.code == 0
    assert shown.stdout == stored_text("cisco_ios", IOS_CASE, texts[2])
    assert "version 2 of 4 (run 3" in shown.stderr
    latest = config(session, "show", "rtr1", "--json").json()
    assert latest["version"] == 4 and latest["text"] == stored_text("cisco_ios", IOS_CASE,
                                                                   texts[4])
    assert IOS_VTY_PLACE in latest["secret_places"]


def test_diff_exits_1_on_differences_and_0_without(history: tuple[Session, list[str]]) -> None:
    session, _ = history
    edited = config(session, "diff", "rtr1", "1", "2")
    assert edited.code == 1
    assert re.search(r"^@@ -\d+,\d+ \+\d+,\d+ @@ interface GigabitEthernet0/0$", edited.stdout,
                     re.MULTILINE)
    assert f"-{IOS_OLD_DESCRIPTION}\n" in edited.stdout
    assert f"+{IOS_NEW_DESCRIPTION}\n" in edited.stdout
    assert "Lines changed per section (cisco_ios)" in edited.stdout
    assert not ANSI.search(edited.stdout)  # not a terminal: plain text
    latest = config(session, "diff", "rtr1")  # versions 3 -> 4: back to the original
    assert latest.code == 1 and f"+{IOS_OLD_DESCRIPTION}\n" in latest.stdout
    assert f"~ {IOS_VTY_PLACE}" in latest.stdout
    same = config(session, "diff", "rtr1", "1", "4")
    assert same.code == 0 and "No differences." in same.stdout


def test_diff_json_has_lines_sections_and_secret_places(
        history: tuple[Session, list[str]]) -> None:
    session, _ = history
    done = config(session, "diff", "rtr1", "3", "--json")  # version 3 against the latest
    assert done.code == 1
    found = done.json()
    assert (found["old"]["version"], found["new"]["version"], found["differs"]) == (3, 4, True)
    assert f"-{IOS_NEW_DESCRIPTION}" in found["diff"]
    assert {"section": "interface GigabitEthernet0/0", "added": 1, "removed": 1} in (
        found["sections"])
    assert found["secret_changes"] == [{"place": IOS_VTY_PLACE, "change": "changed"}]


def test_no_output_holds_a_secret_or_a_fingerprint(
        history: tuple[Session, list[str]]) -> None:
    session, _ = history
    store = session.store()
    snapshot = store.nodes("ConfigSnapshot")[0]
    fingerprints = [str(p.value) for name, p in snapshot.properties.items()
                    if name.startswith("secret_fingerprints.")]
    store.close()
    assert len(fingerprints) == len(read_secrets(IOS_CASE))
    forbidden = [*read_secrets(IOS_CASE), "Inv3ntedVtyN3wPass", *fingerprints]
    for args in (("versions", "rtr1"), ("show", "rtr1"), ("diff", "rtr1", "1", "3"),
                 ("diff", "rtr1")):
        for extra in ((), ("--json",)):
            done = config(session, *args, *extra)
            shown = done.stdout + done.stderr
            assert not [value for value in forbidden if value in shown], args + extra


def test_unknown_device_or_version_exits_3_naming_it(
        history: tuple[Session, list[str]]) -> None:
    session, _ = history
    unknown = config(session, "show", "rtr9")
    assert unknown.code == 3 and "no device matches 'rtr9'" in unknown.stderr
    version = config(session, "diff", "rtr1", "1", "7")
    assert version.code == 3 and "there is no version 7" in version.stderr
    kind = config(session, "versions", "rtr1", "--kind", "startup")
    assert kind.code == 3 and "no 'startup' configuration snapshot" in kind.stderr


def test_a_terminal_gets_a_coloured_diff(history: tuple[Session, list[str]],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    session, _ = history
    screen = io.StringIO()
    monkeypatch.setattr(config_cli, "out", Console(file=screen, force_terminal=True,
                                                   color_system="standard", highlight=False,
                                                   soft_wrap=True))
    assert config(session, "diff", "rtr1", "1", "2").code == 1
    coloured = screen.getvalue()
    assert ANSI.search(coloured)
    assert f"+{IOS_NEW_DESCRIPTION}\n" in ANSI.sub("", coloured)


def test_help_teaches_with_examples() -> None:
    for args in ((), ("versions",), ("show",), ("diff",)):
        done = CliRunner().invoke(config_group, [*args, "--help"])
        assert done.exit_code == 0
        assert "cmdb config " in done.output, args


def test_a_single_version_diffs_as_identical(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "cmdb.sqlite")
    ios_run(store, 1, recorded(IOS_CASE))
    store.close()
    done = config(Session(f"sqlite:{tmp_path / 'cmdb.sqlite'}"), "diff", "rtr1")
    assert done.code == 0 and "only one version is recorded" in done.stdout


def test_through_the_installed_cmdb_command(history: tuple[Session, list[str]]) -> None:
    session, texts = history
    cmdb = Cmdb(session.store_url)
    listed = cmdb.json("config", "versions", "rtr1")
    assert [row["version"] for row in listed] == [1, 2, 3, 4]
    shown = cmdb("config", "show", "rtr1", "--version", "2")
    assert shown.returncode == 0 and shown.stdout == stored_text("cisco_ios", IOS_CASE,
                                                                 texts[2])
    assert cmdb("config", "diff", "rtr1", "1", "2").returncode == 1
    assert cmdb("config", "diff", "rtr1", "1", "4").returncode == 0
    unknown = cmdb("config", "show", "no-such-device")
    assert unknown.returncode == 3 and "no-such-device" in unknown.stderr
    secrets = read_secrets(IOS_CASE)
    for done in (shown, cmdb("config", "diff", "rtr1", "--json")):
        assert not [s for s in secrets if s in done.stdout + done.stderr]
