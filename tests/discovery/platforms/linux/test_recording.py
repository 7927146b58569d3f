"""discovery.recording: write_case/read_case round-trip exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from discovery.recording import read_case, write_case
from discovery.transports.base import CommandOutput

OUTPUTS = {
    "addr": CommandOutput("ip -j addr show", "line\r\nnext\n\n  trailing  ", "warn\n", 0),
    "fallback": CommandOutput("ip addr show", "", "Option \"-j\" is unknown\n", 255),
    "unicode": CommandOutput("cat -- /etc/motd", "gr\u00fc\u00df dich \u2603\n"),
}


def test_round_trip(tmp_path: Path) -> None:
    case = tmp_path / "a" / "b"
    write_case(case, OUTPUTS)
    assert read_case(case) == OUTPUTS
    assert (case / "addr.txt").read_bytes() == b"line\r\nnext\n\n  trailing  "
    index = json.loads((case / "commands.json").read_text())
    assert index["fallback"] == {"command": "ip addr show", "exit_status": 255,
                                 "stderr": "Option \"-j\" is unknown\n"}


def test_other_files_are_kept(tmp_path: Path) -> None:
    (tmp_path / "expected.json").write_text("{}")
    write_case(tmp_path, OUTPUTS)
    assert (tmp_path / "expected.json").read_text() == "{}"


@pytest.mark.parametrize("name", ["../x", "a/b", ".hidden", "", "commands.json"[:-5] + ".x/y"])
def test_unsafe_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="not a safe file name"):
        write_case(tmp_path, {name: CommandOutput("hostname", "x\n")})


def test_missing_stdout_file(tmp_path: Path) -> None:
    write_case(tmp_path, OUTPUTS)
    (tmp_path / "addr.txt").unlink()
    with pytest.raises(ValueError, match=r"addr\.txt"):
        read_case(tmp_path)


@pytest.mark.parametrize("index", ["not json", "[]", '{"a": {"exit_status": 0}}',
                                   '{"a": {"command": "x", "exit_status": "0"}}'])
def test_malformed_index(tmp_path: Path, index: str) -> None:
    (tmp_path / "commands.json").write_text(index)
    (tmp_path / "a.txt").write_text("")
    with pytest.raises(ValueError, match=r"commands\.json"):
        read_case(tmp_path)


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read recording index"):
        read_case(tmp_path)
