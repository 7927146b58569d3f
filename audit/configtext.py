"""A device's running configuration as rules and baselines read it.

`config_lines`: the configuration line by line, indentation kept, trailing blanks removed,
without blank lines, "!"/"#" comment lines and the capture preamble ("Building
configuration...", "Current configuration : N bytes").
`config_sections`: every top-level (unindented) line mapped to its indented child lines,
in order (empty list when it has none); a top-level line given twice keeps the children
of both occurrences.

The shipped network packs (audit/packs/*-hardening.yaml) are written against this shape.
"""

from __future__ import annotations

import re

PREAMBLE = re.compile(r"Building configuration\.\.\.|Current configuration : \d+ bytes"
                       r"|Configuration of Partition - .*")


def split_config(text: str) -> tuple[list[str], dict[str, list[str]]]:
    """Configuration text to (config_lines, config_sections)."""
    lines = [raw.rstrip() for raw in text.splitlines()]
    lines = [line for line in lines if line.strip() and line.lstrip()[0] not in "!#"
             and not PREAMBLE.fullmatch(line)]
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in lines:
        if line[0].isspace():
            current.append(line)
        else:
            current = sections.setdefault(line, [])
    return lines, sections
