"""Fixture cases of the Linux platform: where they live, how to parse them, and a small
command line to (re)record and (re)generate them on purpose.

    # record every collector's commands on THIS machine as case CASE:
    .venv/bin/python -m tests.discovery.platforms.linux.cases record CASE
    # rewrite expected.json of the given case folders from their recorded outputs:
    .venv/bin/python -m tests.discovery.platforms.linux.cases expected tests/fixtures/linux/*/rhel9

Review the diff of expected.json (and of the recorded outputs: no secrets!) before
committing it; the tests never rewrite it themselves.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from cmdb.schema import facts_to_json
from discovery.platforms.base import Collector, Parser
from discovery.platforms.linux import STATIC_COLLECTORS, configs_collector
from discovery.platforms.linux.configs import make_parser
from discovery.recording import read_case, write_case
from discovery.transports.base import CommandOutput
from inventory.model import Target

REPO = Path(__file__).resolve().parents[4]
FIXTURES = REPO / "tests" / "fixtures" / "linux"
SHARED_FIXTURES = REPO / ".." / "shared" / "fixtures"
EXPECTED = "expected.json"
LOCAL = Target(name="localhost", address="127.0.0.1")


def parser_for(collector: str) -> Parser:
    """The parse function of a collector folder; configs' parser needs no target."""
    parsers = {c.name: c.parse for c in STATIC_COLLECTORS}
    parsers["configs"] = make_parser()
    return parsers[collector]


def case_dirs() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("*/*") if (p / "commands.json").is_file())


def parse_case(directory: Path) -> dict[str, Any]:
    return facts_to_json(parser_for(directory.parent.name)(read_case(directory)))


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def run_locally(collector: Collector, timeout: float = 60.0) -> dict[str, CommandOutput]:
    """What the runner does over SSH, here: the fallback runs when the primary fails."""
    outputs = {}
    for command in collector.commands:
        output = _bash(command.line, timeout)
        if not output.ok and command.fallback is not None:
            output = _bash(command.fallback, timeout)
        outputs[command.name] = output
    return outputs


def _bash(line: str, timeout: float) -> CommandOutput:
    done = subprocess.run(["bash", "-c", line], capture_output=True, timeout=timeout,
                          check=False)
    return CommandOutput(command=line, stdout=done.stdout.decode("utf-8", "replace"),
                         stderr=done.stderr.decode("utf-8", "replace"),
                         exit_status=done.returncode)


def record(case: str) -> list[Path]:
    written = []
    for collector in (*STATIC_COLLECTORS, configs_collector(LOCAL)):
        directory = FIXTURES / collector.name / case
        write_case(directory, run_locally(collector))
        written.append(directory)
    return written


def write_expected(directory: Path) -> None:
    (directory / EXPECTED).write_text(dump_json(parse_case(directory)), encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "record":
        dirs = record(argv[1])
    elif len(argv) >= 2 and argv[0] == "expected":
        dirs = [Path(arg).resolve() for arg in argv[1:]]
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for directory in dirs:
        write_expected(directory)
        print(f"wrote {directory / EXPECTED}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
