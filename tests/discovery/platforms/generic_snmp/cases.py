"""Fixture cases of the generic SNMP platform, and how a test turns a recorded walk
(`.snmprec`) into the outputs the transport would hand each collector.

    # rewrite expected.json of the given case folders from their recorded outputs:
    .venv/bin/python -m tests.discovery.platforms.generic_snmp.cases expected \
        tests/fixtures/generic_snmp/*/*

Review the diff of expected.json before committing it; the tests never rewrite it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from cmdb.schema import facts_to_json
from discovery.platforms.base import Collector, Outputs, Parser
from discovery.platforms.generic_snmp import COLLECTORS
from discovery.platforms.generic_snmp._snmprec import parse_oid
from discovery.recording import read_case
from discovery.transports.base import CommandOutput

REPO = Path(__file__).resolve().parents[4]
FIXTURES = REPO / "tests" / "fixtures" / "generic_snmp"
SNMPREC = REPO / ".." / "shared" / "fixtures" / "snmprec"
EXPECTED = "expected.json"
BY_NAME = {c.name: c for c in COLLECTORS}


def parser_for(collector: str) -> Parser:
    return BY_NAME[collector].parse


def case_dirs() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("*/*") if (p / "commands.json").is_file())


def parse_case(directory: Path) -> dict[str, Any]:
    return facts_to_json(parser_for(directory.parent.name)(read_case(directory)))


def recordings() -> list[Path]:
    return sorted(SNMPREC.glob("*.snmprec")) if SNMPREC.is_dir() else []


def outputs_from_snmprec(text: str, collector: Collector) -> Outputs:
    """What the transport would return for each command: the recorded lines under the
    command's subtrees (`walk`) or at its instances (`get`), in file order."""
    lines = [(parse_oid(line.split("|", 1)[0]), line) for line in text.splitlines()]
    outputs = {}
    for command in collector.commands:
        verb, *targets = command.line.split()
        oids = [parse_oid(t) for t in targets]
        if verb == "get":
            chosen = [line for oid, line in lines if oid is not None and oid in oids]
        else:
            chosen = [line for oid, line in lines if oid is not None
                      and any(o is not None and oid[:len(o)] == o for o in oids)]
        outputs[command.name] = CommandOutput(command.line, "".join(f"{c}\n" for c in chosen))
    return outputs


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_expected(directory: Path) -> None:
    (directory / EXPECTED).write_text(dump_json(parse_case(directory)), encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "expected":
        print(__doc__, file=sys.stderr)
        return 2
    for arg in argv[1:]:
        write_expected(Path(arg).resolve())
        print(f"wrote {Path(arg) / EXPECTED}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
