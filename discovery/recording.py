"""Recorded command outputs on disk: one `<name>.txt` per command holding its stdout
exactly, and `commands.json` with each command line, exit status and stderr.

`cmdb discover --record DIR` writes these; parser tests replay them (DESIGN §7).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from discovery.transports.base import CommandOutput

INDEX = "commands.json"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def write_case(directory: Path, outputs: Mapping[str, CommandOutput]) -> None:
    """Write outputs under `directory` (created if needed); other files there are kept."""
    for name in outputs:
        _check_name(name, directory)
    directory.mkdir(parents=True, exist_ok=True)
    index: dict[str, dict[str, Any]] = {}
    for name, output in outputs.items():
        # newline="" keeps CR/LF exactly as the peer sent them.
        with (directory / f"{name}.txt").open("w", encoding="utf-8", newline="") as handle:
            handle.write(output.stdout)
        index[name] = {"command": output.command, "exit_status": output.exit_status,
                       "stderr": output.stderr}
    text = json.dumps(index, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (directory / INDEX).write_text(text, encoding="utf-8")


def read_case(directory: Path) -> dict[str, CommandOutput]:
    """Read a case written by write_case; a malformed case raises ValueError naming the file."""
    index_path = directory / INDEX
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{index_path}: cannot read recording index: {exc}") from exc
    if not isinstance(index, dict):
        raise ValueError(f"{index_path}: expected an object of commands")
    return {name: _read_output(directory, name, entry) for name, entry in index.items()}


def _read_output(directory: Path, name: str, entry: Any) -> CommandOutput:
    _check_name(name, directory)
    where = f"{directory / INDEX}: {name}"
    if not isinstance(entry, dict) or not isinstance(entry.get("command"), str):
        raise ValueError(f"{where}: expected {{command, exit_status, stderr}}")
    status = entry.get("exit_status", 0)
    stderr = entry.get("stderr", "")
    if not isinstance(status, int) or isinstance(status, bool) or not isinstance(stderr, str):
        raise ValueError(f"{where}: exit_status must be an integer and stderr a string")
    path = directory / f"{name}.txt"
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            stdout = handle.read()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read recorded stdout: {exc}") from exc
    return CommandOutput(command=entry["command"], stdout=stdout, stderr=stderr,
                         exit_status=status)


def _check_name(name: str, directory: Path) -> None:
    """Names become file names: no separators, no hidden files, no clash with the index."""
    if not _NAME.fullmatch(name) or f"{name}.txt" == INDEX:
        raise ValueError(f"{directory}: output name {name!r} is not a safe file name")
