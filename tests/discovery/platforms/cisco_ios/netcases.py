"""Fixture cases of the Cisco-style network CLI platforms (cisco_ios, cisco_nxos,
arista_eos): where they live, how to parse them, where the shared recordings are, and a
small command line to regenerate expected.json on purpose.

    # rewrite expected.json of the given case folders from their recorded outputs:
    .venv/bin/python -m tests.discovery.platforms.cisco_ios.netcases expected \\
        tests/fixtures/cisco_ios/*/*

A case folder is `tests/fixtures/<platform>/<collector>/<case>/` in the layout of
`discovery/recording.py`. Review the diff of expected.json before committing it; the
tests never rewrite it themselves. (Generic on purpose: the lead may move it next to the
Linux `cases.py` for every network platform.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from cmdb.schema import facts_to_json
from discovery.platforms import arista_eos, cisco_ios, cisco_nxos
from discovery.platforms.base import Collector
from discovery.platforms.netcli import NetworkPlatform
from discovery.recording import read_case
from inventory.model import Target

REPO = Path(__file__).resolve().parents[4]
FIXTURES = REPO / "tests" / "fixtures"
SHARED_CLI = REPO / ".." / "shared" / "fixtures" / "cli"
EXPECTED = "expected.json"
PLATFORMS: dict[str, NetworkPlatform] = {
    "cisco_ios": cisco_ios.PLATFORM,
    "cisco_nxos": cisco_nxos.PLATFORM,
    "arista_eos": arista_eos.PLATFORM,
}
_TARGET = Target(name="fixture", address="192.0.2.1", transport="cli")


def case_dirs(platform: str) -> list[Path]:
    """The cases of the platform's own collectors (running_config cases, written by the
    redaction work, are tested there)."""
    root = FIXTURES / platform
    names = {c.name for c in PLATFORMS[platform].collectors(_TARGET)}
    return sorted(p for p in root.glob("*/*")
                  if p.parent.name in names and (p / "commands.json").is_file())


def case_id(directory: Path) -> str:
    return f"{directory.parent.name}/{directory.name}"


def collector_of(directory: Path) -> Collector:
    """The collector a case folder belongs to: `<platform>/<collector>/<case>`."""
    platform = PLATFORMS[directory.parent.parent.name]
    by_name = {c.name: c for c in platform.collectors(_TARGET)}
    return by_name[directory.parent.name]


def parse_case(directory: Path) -> dict[str, Any]:
    return facts_to_json(collector_of(directory).parse(read_case(directory)))


def write_expected(directory: Path) -> None:
    text = json.dumps(parse_case(directory), indent=2, sort_keys=True, ensure_ascii=False)
    (directory / EXPECTED).write_text(text + "\n", encoding="utf-8")


def shared_raws(platform: str, command_dir: str) -> list[Path | None]:
    """The recorded `.raw` files of one command; one None (a clean skip) when the shared
    fixtures are absent."""
    folder = SHARED_CLI / platform / command_dir
    if not folder.is_dir():
        return [None]
    found: list[Path | None] = [*sorted(folder.glob("*.raw"))]
    return found


def raw_id(raw: Path | None) -> str:
    return raw.name if raw is not None else "shared-fixtures-absent"


def load_raw(raw: Path | None) -> tuple[str, list[dict[str, Any]]]:
    """(raw output, the .yml's parsed_sample records); skips when shared is absent."""
    if raw is None:
        pytest.skip("../shared/fixtures not present")
    expected = yaml.safe_load(raw.with_suffix(".yml").read_text(encoding="utf-8"))
    records = expected["parsed_sample"]
    assert isinstance(records, list)
    return raw.read_text(encoding="utf-8"), records


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "expected":
        print(__doc__, file=sys.stderr)
        return 2
    for arg in argv[1:]:
        directory = Path(arg).resolve()
        write_expected(directory)
        print(f"wrote {directory / EXPECTED}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
