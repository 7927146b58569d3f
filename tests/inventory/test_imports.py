"""DESIGN §3: `inventory` imports nothing else of this project (stdlib + PyYAML only)."""

from __future__ import annotations

import ast
from pathlib import Path

import inventory

OURS = {"agent", "discovery", "cmdb", "audit", "cli"}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def test_inventory_imports_nothing_else_of_ours() -> None:
    files = sorted(Path(inventory.__file__).parent.glob("*.py"))
    assert len(files) >= 4
    offending = {f.name: _imported_roots(f) & OURS for f in files if _imported_roots(f) & OURS}
    assert offending == {}


def test_public_names() -> None:
    for name in inventory.__all__:
        assert hasattr(inventory, name), name
    assert {"load_inventory", "InventoryError", "SecretError", "parse_secret_ref",
            "resolve_secret", "target_summary", "Target", "Inventory"} <= set(inventory.__all__)
