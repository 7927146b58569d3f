"""Terminal rendering of store records: rich tables for people (the --json output of the
same commands comes from `cmdb.views`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from cmdb.store.base import NodeRecord

# Piped output (logs, cron mail) gets a wide table rather than 80 columns.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    out.print(table)


def print_detail(record: NodeRecord, detail: dict[str, Any]) -> None:
    out.print(f"[bold]{record.label} {detail['name']}[/]  uid {record.uid}  "
              f"status {record.status.value}  runs {record.first_run}..{record.last_run}")
    table("Properties", ["property", "value", "source", "target", "since run"],
           ([k, short(v["value"]), v["source"], v["target"], v["run"]]
            for k, v in detail["properties"].items()))
    if detail["other_observations"]:
        table("Values reported by other sources (lost precedence)",
               ["property", "value", "source", "target", "run"],
               ([o["property"], short(o["value"]), o["source"], o["target"], o["run"]]
                for o in detail["other_observations"]))
    rels = detail["relationships"]
    counts: dict[tuple[str, str, str], int] = {}
    for r in rels:
        key = (r["direction"], r["type"], r["label"])
        counts[key] = counts.get(key, 0) + 1
    table("Relationships", ["direction", "type", "CI", "uid"],
           ([r["direction"], r["type"], f"{r['label']} {r['name']}", r["uid"]]
            for r in rels if counts[(r["direction"], r["type"], r["label"])] <= 5
            or r["label"] in ("Site", "Device", "OperatingSystem")))
    big = {k: n for k, n in counts.items() if n > 5 and k[2] not in ("Site", "Device")}
    for (direction, rel_type, label), n in sorted(big.items()):
        out.print(f"  {direction} {rel_type}: {n} {label} CIs "
                  f"(cmdb ci list --label {label} --json for all)")


def short(value: Any, width: int = 80) -> str:
    text = json.dumps(value) if isinstance(value, list | dict) else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def changes_table(title: str, entries: list[dict[str, Any]]) -> None:
    table(f"{title}: {len(entries)} changes", ["run", "at", "CI", "what", "old", "new",
                                                 "source"],
           ([e["run"], e["at"][:19], f"{e['label']} {e['uid']}",
             f"{e['kind']} {e['name']}" + (f" → {e['other']}" if e["other"] else ""),
             short(e["old"], 40), short(e["new"], 40), e["source"]] for e in entries))


def missed_text(row: dict[str, Any]) -> str:
    missed = [f"{m['target']} ({m['error']})" for m in row["missed"]]
    partial = [f"{p['target']}: " + ", ".join(f[0] for f in p["failed"])
               for p in row["partial"]]
    return "; ".join(missed + partial)
