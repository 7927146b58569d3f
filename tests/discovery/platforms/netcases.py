"""Fixture cases of the network CLI platforms (cisco_ios, cisco_nxos, arista_eos,
juniper_junos, huawei_vrp, hp_comware): where they live, how to parse one, where the
shared recordings are, and a small command line to regenerate expected.json on purpose:

    # rewrite expected.json of the given case folders from their recorded outputs:
    .venv/bin/python -m tests.discovery.platforms.netcases expected \\
        tests/fixtures/huawei_vrp/*/*

A case folder is `tests/fixtures/<platform>/<collector>/<case>/` in the layout of
`discovery/recording.py`; the platform and collector are read from its path. Review the
diff of expected.json before committing it; the tests never rewrite it themselves.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from cmdb.schema import facts_to_json
from discovery.platforms import (
    arista_eos,
    cisco_ios,
    cisco_nxos,
    hp_comware,
    huawei_vrp,
    juniper_junos,
)
from discovery.platforms.base import Collector
from discovery.platforms.netcli import NetworkPlatform
from discovery.recording import read_case
from inventory.model import Target

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures"
SHARED_CLI = REPO / ".." / "shared" / "fixtures" / "cli"
EXPECTED = "expected.json"
PLATFORMS: dict[str, NetworkPlatform] = {
    p.name: p for p in (cisco_ios.PLATFORM, cisco_nxos.PLATFORM, arista_eos.PLATFORM,
                        juniper_junos.PLATFORM, huawei_vrp.PLATFORM, hp_comware.PLATFORM)}
TARGET = Target(name="fixture.example.com", address="192.0.2.1", transport="cli")


@dataclass(frozen=True)
class NetCases:
    """The own fixture cases of one platform."""

    platform: str

    @property
    def fixtures(self) -> Path:
        return FIXTURES / self.platform

    @property
    def collectors(self) -> tuple[Collector, ...]:
        return PLATFORMS[self.platform].fact_collectors

    def collector(self, name: str) -> Collector:
        return next(c for c in self.collectors if c.name == name)

    def case_dirs(self) -> list[Path]:
        """Cases of this platform's collectors (other folders there, e.g. running_config,
        belong to other collectors and have their own tests)."""
        return sorted(p for p in self.fixtures.glob("*/*") if is_case(p))


def is_case(directory: Path) -> bool:
    """A recorded case of one of its network platform's collectors."""
    platform, collector = directory.parent.parent.name, directory.parent.name
    return (platform in PLATFORMS and (directory / "commands.json").is_file()
            and any(c.name == collector for c in NetCases(platform).collectors))


def case_dirs(platform: str) -> list[Path]:
    return NetCases(platform).case_dirs()


def case_id(directory: Path) -> str:
    return f"{directory.parent.name}/{directory.name}"


def collector_of(directory: Path) -> Collector:
    """The collector a case folder belongs to: `<platform>/<collector>/<case>`."""
    return NetCases(directory.parent.parent.name).collector(directory.parent.name)


def parse_case(directory: Path) -> dict[str, Any]:
    return facts_to_json(collector_of(directory).parse(read_case(directory)))


def write_expected(directory: Path) -> None:
    text = json.dumps(parse_case(directory), indent=2, sort_keys=True, ensure_ascii=False)
    (directory / EXPECTED).write_text(text + "\n", encoding="utf-8")


def shared_raws(platform: str, command_dir: str) -> list[Path | None]:
    """The recorded `.raw` files of one command (folder name) in ../shared; one None (a
    clean skip) when the shared fixtures are absent."""
    folder = SHARED_CLI / platform / command_dir
    if not folder.is_dir():
        return [None]
    found: list[Path | None] = [*sorted(folder.glob("*.raw"))]
    return found


def raw_id(raw: Path | None) -> str:
    return raw.name if raw is not None else "shared-fixtures-absent"


def load_raw(raw: Path | None) -> tuple[str, list[dict[str, Any]]]:
    """(raw output, the records ntc-templates' .yml expects from it); skips when the
    shared fixtures are absent."""
    if raw is None:
        pytest.skip("../shared/fixtures not present")
    expected = yaml.safe_load(raw.with_suffix(".yml").read_text(encoding="utf-8"))
    records = expected["parsed_sample"]
    assert isinstance(records, list)
    return raw.read_text(encoding="utf-8"), records


def blank(value: Any) -> Any:
    """A .yml value as our parsers report it: "" (not observed) is None."""
    return None if value in ("", [], None) else value


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "expected":
        print(__doc__, file=sys.stderr)
        return 2
    for arg in argv[1:]:
        directory = Path(arg).resolve()
        if not is_case(directory):
            # e.g. running_config cases: their collector writes them.
            print(f"skipped {directory}: not a case of a network platform's collectors",
                  file=sys.stderr)
            continue
        write_expected(directory)
        print(f"wrote {directory / EXPECTED}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
