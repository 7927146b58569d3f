"""Fixture cases of a network CLI platform, shared by the juniper_junos, huawei_vrp and
hp_comware tests: where the cases live, how to parse one, and a small command line to
regenerate expected.json on purpose (each platform's `cases.py` runs it):

    .venv/bin/python -m tests.discovery.platforms.huawei_vrp.cases expected \\
        tests/fixtures/huawei_vrp/*/*

Review the diff of expected.json before committing it; tests never rewrite it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmdb.schema import facts_to_json
from discovery.platforms.base import Collector
from discovery.recording import read_case

REPO = Path(__file__).resolve().parents[4]
SHARED_CLI = REPO / ".." / "shared" / "fixtures" / "cli"
EXPECTED = "expected.json"


@dataclass(frozen=True)
class NetCases:
    platform: str
    collectors: tuple[Collector, ...]

    @property
    def fixtures(self) -> Path:
        return REPO / "tests" / "fixtures" / self.platform

    def collector(self, name: str) -> Collector:
        return next(c for c in self.collectors if c.name == name)

    def case_dirs(self) -> list[Path]:
        """Cases of this platform's collectors (other folders there, e.g. running_config,
        belong to other collectors and have their own tests)."""
        names = {c.name for c in self.collectors}
        return sorted(p for p in self.fixtures.glob("*/*")
                      if p.parent.name in names and (p / "commands.json").is_file())

    def parse_case(self, directory: Path) -> dict[str, Any]:
        collector = self.collector(directory.parent.name)
        return facts_to_json(collector.parse(read_case(directory)))

    def write_expected(self, directory: Path) -> None:
        text = json.dumps(self.parse_case(directory), indent=2, sort_keys=True,
                          ensure_ascii=False) + "\n"
        (directory / EXPECTED).write_text(text, encoding="utf-8")

    def shared(self, command: str) -> list[Path]:
        """The recorded `.raw` outputs of `command` (folder name) in ../shared."""
        return sorted((SHARED_CLI / self.platform / command).glob("*.raw"))

    def main(self, argv: list[str]) -> int:
        if len(argv) < 2 or argv[0] != "expected":
            print(__doc__, file=sys.stderr)
            return 2
        for arg in argv[1:]:
            directory = Path(arg).resolve()
            self.write_expected(directory)
            print(f"wrote {directory / EXPECTED}")
        return 0


def shared_cases(platform: str, command: str) -> list[Path | None]:
    """The recorded `.raw` outputs of `command` (folder name) of `platform` in ../shared;
    one None (a clean skip) when the shared fixtures are absent."""
    folder = SHARED_CLI / platform / command
    if not folder.is_dir():
        return [None]
    return list(sorted(folder.glob("*.raw")))


def raw_id(raw: Path | None) -> str:
    return raw.stem if raw is not None else "absent"


def load_shared(raw: Path | None) -> tuple[str, list[dict[str, Any]]]:
    """The raw output and the records ntc-templates' .yml expects from it."""
    import pytest
    import yaml

    if raw is None:
        pytest.skip("../shared/fixtures not present")
    expected = yaml.safe_load(raw.with_suffix(".yml").read_text(encoding="utf-8"))
    return raw.read_text(encoding="utf-8"), list(expected["parsed_sample"])


def blank(value: Any) -> Any:
    """A .yml value as our parsers report it: "" (not observed) is None."""
    return None if value in ("", [], None) else value
