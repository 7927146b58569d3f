"""Fixture cases of the `running_config` collector, a generic leak detector, and a small
command line to regenerate expected.json on purpose:

    .venv/bin/python -m tests.discovery.platforms.netconfig.cases expected

Each case folder `tests/fixtures/<platform>/running_config/<case>/` holds the recorded
output (`running_config.txt`, `commands.json`), `expected.json` = `facts_to_json(parse)`
under the default redaction key, and `secrets.json`: every (invented) secret value of the
config, as it is written there, each listed once.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from cmdb.schema import facts_to_json
from discovery.platforms.netconfig.collector import NAME, make_parser
from discovery.platforms.netconfig.rules import RULES
from discovery.recording import read_case

REPO = Path(__file__).resolve().parents[4]
FIXTURES = REPO / "tests" / "fixtures"
SHARED_CLI = REPO / ".." / "shared" / "fixtures" / "cli"
EXPECTED = "expected.json"
SECRETS = "secrets.json"
OUTPUT = f"{NAME}.txt"


def case_dirs() -> list[Path]:
    return sorted(p for platform in RULES for p in (FIXTURES / platform / NAME).glob("*")
                  if (p / "commands.json").is_file())


def platform_of(directory: Path) -> str:
    return directory.parent.parent.name


def raw_config(directory: Path) -> str:
    with (directory / OUTPUT).open(encoding="utf-8", newline="") as handle:
        return handle.read()


def secrets_of(directory: Path) -> list[str]:
    values = json.loads((directory / SECRETS).read_text(encoding="utf-8"))
    assert isinstance(values, list) and all(isinstance(v, str) for v in values)
    return values


def parse_case(directory: Path) -> dict[str, Any]:
    parser = make_parser(platform_of(directory))
    return facts_to_json(parser(read_case(directory)))


# The generic detector: a line with a secret keyword followed by a value, but without a
# placeholder, is a leak unless it is one of the known non-secret forms below.
_KEYWORDS = frozenset({
    "secret", "password", "passwd", "key", "key-string", "community", "shared-key",
    "pre-shared-key", "authentication-key", "encrypted-password", "cipher",
    "irreversible-cipher", "simple-password", "privacy-key", "wpa-psk",
})
_NOT_SECRET = tuple(re.compile(p) for p in (
    r"\bkey chain \S+$",                      # IOS/NX-OS key chain header
    r"^\s*key \d+(?: \{)?$",                  # key id inside a key chain (IOS, Junos)
    r"\bkey \d+;?$",                          # ntp server 192.0.2.123 key 1
    r"\bkey-chain \S+ key \d+ (?!secret )",    # Junos set: ... key-chain KC key 0 start-time
    r"\b(?:set|match) community\b",           # route-map BGP communities
    r"\bcommunity-list\b",                    # ip community-list standard CUST ...
    r"\bcommunity \S+ members\b",             # Junos policy-options community
    r"\bcommunity complexity-check\b",        # VRP: snmp-agent community complexity-check
    r"\bnopassword\b",                        # username guest nopassword
    r"\bauthentication-order\b",              # Junos: authentication-order [ radius password ]
))


def leaks(text: str) -> list[str]:
    """Lines of `text` that look like they still hold a secret."""
    found = []
    for line in text.splitlines():
        words = [w.rstrip(";") for w in line.split()]
        keyed = any(w in _KEYWORDS for w in words[:-1])
        if keyed and "<redacted>" not in line and not any(
                p.search(line) for p in _NOT_SECRET):
            found.append(line)
    return found


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    if argv[:1] != ["expected"]:
        print(__doc__)
        return 2
    for directory in case_dirs():
        (directory / EXPECTED).write_text(dump_json(parse_case(directory)), encoding="utf-8")
        print(f"wrote {directory / EXPECTED}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
