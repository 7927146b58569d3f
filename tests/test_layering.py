"""Dependencies point one way (DESIGN §3): checked over every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"agent", "discovery", "cmdb", "audit", "inventory", "cli", "tests", "scripts"}

# package -> project packages it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "cmdb.schema": set(),
    "inventory": set(),
    "agent": {"cmdb.schema"},
    "discovery": {"inventory", "cmdb.schema"},
    "cmdb": {"cmdb.schema"},
    "audit": {"cmdb", "cmdb.schema"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name.split(".")[0] in OURS}


def _owner(module: str) -> str:
    in_schema = module == "cmdb.schema" or module.startswith("cmdb.schema.")
    return "cmdb.schema" if in_schema else module.split(".")[0]


def _modules() -> list[Path]:
    return [p for package in ("agent", "discovery", "cmdb", "audit", "inventory")
            for p in sorted((ROOT / package).rglob("*.py"))]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_one_way(path: Path) -> None:
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    owner = _owner(module)
    allowed = ALLOWED[owner] | {owner}
    bad = sorted(name for name in _imports(path)
                 if _owner(name) not in allowed
                 and not (owner == "cmdb" and name.startswith("cmdb")))
    assert not bad, f"{module} ({owner}) may not import {bad}"
