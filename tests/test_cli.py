"""CLI conventions: config file and env precedence, exit codes, help that teaches."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from inventory import SecretError, installation_key
from tests.cmdb_command import Cmdb


def test_help_teaches_the_main_commands(tmp_path: Path) -> None:
    done = Cmdb(tmp_path / "s.sqlite")("--help")
    assert done.returncode == 0
    for command in ("discover", "inventory", "ci", "runs", "diff", "conflicts"):
        assert command in done.stdout
    assert "cmdb discover -i hosts.yaml" in done.stdout


def test_config_file_sets_defaults_and_the_store(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    store = tmp_path / "from-config.sqlite"
    config.write_text(f"store: sqlite:{store}\nruns: {{limit: 1}}\n")
    cmdb = Cmdb(tmp_path / "ignored.sqlite", CMDB_CONFIG=str(config))
    cmdb.env.pop("CMDB_STORE")
    assert cmdb.json("runs") == []
    assert store.exists()  # the config file chose the store
    explicit = tmp_path / "explicit.sqlite"
    assert cmdb("--store", f"sqlite:{explicit}", "runs").returncode == 0
    assert explicit.exists()  # the command line beats the config file


def test_a_typo_in_the_config_file_is_named(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("discover:\n  concurency: 4\n")
    done = Cmdb(tmp_path / "s.sqlite", CMDB_CONFIG=str(config))("runs")
    assert done.returncode == 3
    assert "config.yaml: discover.concurency: unknown setting" in done.stderr
    assert "concurrency" in done.stderr


def test_a_broken_store_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_text("not a database" * 200)
    done = Cmdb(bad)("runs")
    assert done.returncode == 3 and "bad.sqlite" in done.stderr


def test_the_installation_key_is_made_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "installation.key"
    first = installation_key(path)
    assert len(first) == 32 and installation_key(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_bytes(b"short")
    try:
        installation_key(path)
    except SecretError as exc:
        assert "too short" in str(exc) and "short'" not in str(exc)
    else:
        raise AssertionError("a short key must be refused")


def test_cmdb_agent_says_it_is_not_built_yet() -> None:
    import subprocess
    import sys

    agent = str(Path(sys.executable).parent / "cmdb-agent")
    done = subprocess.run([agent, "collect"], capture_output=True, text=True, check=False)
    assert done.returncode == 3 and "not part of this version" in done.stderr


def test_files_that_go_with_a_server_store_live_in_the_data_dir(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cmdb.store import local_dir

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert local_dir("bolt://127.0.0.1:7687") == tmp_path / "xdg" / "cmdb-auditor"
    assert local_dir("neo4j+s://db.example:7687/cmdb") == tmp_path / "xdg" / "cmdb-auditor"
    assert local_dir(f"sqlite:{tmp_path}/a/cmdb.sqlite") == tmp_path / "a"


def test_docs_schema_md_is_generated_from_the_declarations() -> None:
    from cmdb.schema_docs import render_markdown

    committed = Path(__file__).resolve().parent.parent / "docs" / "schema.md"
    assert committed.read_text() == render_markdown() + "\n", (
        "docs/schema.md is stale: run `cmdb schema > docs/schema.md`")
