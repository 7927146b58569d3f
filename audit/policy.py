"""Policy baselines pin their rule packs: the pack files' bytes are kept in the baseline
version, so an approved baseline means exactly the rules that were approved, whatever
happens to the files later. The pack's sha256 goes into the audit evidence."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from audit.rules import RulePack, RulePackError, load_pack, load_pack_bytes, load_packs

SHIPPED = Path(__file__).parent / "packs"


def resolve_pack(name_or_path: str) -> Path:
    """A pack file, or the name of a shipped pack (`linux-hardening`)."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    return SHIPPED / f"{name_or_path}.yaml"


def shipped_packs() -> list[str]:
    return sorted(p.stem for p in SHIPPED.glob("*.yaml"))


def pack_entries(paths: Sequence[str]) -> list[dict[str, Any]]:
    """Baseline content for these packs; loading them all first checks every rule and
    that rule ids are unique across the packs."""
    files = [resolve_pack(p) for p in paths]
    packs = load_packs(files)
    return [{"name": pack.name, "version": pack.version, "sha256": pack.sha256,
             "file": str(path), "content": base64.b64encode(path.read_bytes()).decode()}
            for pack, path in zip(packs, files, strict=True)]


def pack_of(entry: Mapping[str, Any]) -> RulePack:
    return _cached(entry["sha256"], entry["content"], f"{entry['name']} {entry['version']}")


@lru_cache(maxsize=64)
def _cached(sha256: str, content: str, source: str) -> RulePack:
    pack = load_pack_bytes(base64.b64decode(content), f"baseline pack {source}")
    if pack.sha256 != sha256:  # the stored baseline was edited behind our back
        raise RulePackError(f"baseline pack {source}",
                            f"content does not match its recorded sha256 {sha256[:12]}…")
    return pack


__all__ = ["load_pack", "pack_entries", "pack_of", "resolve_pack", "shipped_packs"]
