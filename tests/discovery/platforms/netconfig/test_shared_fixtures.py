"""The redactor over every config-like real recording in ../shared/fixtures/cli (read in
place): Cisco IOS `show running-config ...` partial captures and the Arista EOS
`show boot-config` file. Non-secret lines pass unchanged, and the generic detector finds
nothing left. Skipped cleanly when the shared fixtures are absent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from discovery.platforms.netconfig.redact import PLACEHOLDER, redact_config
from discovery.platforms.netconfig.rules import rules_for
from tests.discovery.platforms.netconfig.cases import SHARED_CLI, leaks

CONFIG_LIKE = {
    "cisco_ios": "show_running-config*/*.raw",
    "arista_eos": "show_boot-config/*.raw",
}
# Real secrets the recordings hold, by file name: how many must be redacted.
KNOWN_SECRETS = {"arista_eos_show_boot-config.raw": 1}


def _cases() -> list[tuple[str, Path | None]]:
    found: list[tuple[str, Path | None]] = [
        (platform, raw) for platform, pattern in CONFIG_LIKE.items()
        for raw in sorted((SHARED_CLI / platform).glob(pattern))]
    return found or [("absent", None)]


@pytest.mark.parametrize(("platform", "raw"), _cases(),
                         ids=lambda v: v.stem if isinstance(v, Path) else str(v))
def test_real_config(platform: str, raw: Path | None) -> None:
    if raw is None:
        pytest.skip("../shared/fixtures/cli not present")
    text = raw.read_text(encoding="utf-8")
    redacted = redact_config(platform, text, b"k")
    assert leaks(redacted.text) == []
    assert len(redacted.fingerprints) == KNOWN_SECRETS.get(raw.name, 0)
    rules = rules_for(platform)
    kept = [line.rstrip() for line in text.splitlines() if not rules.is_volatile(line.rstrip())]
    kept = [line for line in kept if line]
    out = [line for line in redacted.text.splitlines() if line]
    assert len(out) == len(kept)
    for original, line in zip(kept, out, strict=True):
        if PLACEHOLDER in line:
            shape = ".+?".join(re.escape(part) for part in line.split(PLACEHOLDER))
            assert re.fullmatch(shape, original)
        else:
            assert line == original
