"""What `cmdb topology` shows: stored links and attachments with the runs that first and
last saw them, and the neighbours still pending; as rows, JSON or Graphviz DOT."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from cmdb.store.base import GraphStore, RelRecord
from cmdb.topology.links import derive_links
from cmdb.topology.view import TopologyView, read_view


@dataclass(frozen=True)
class End:
    device: str
    port: str
    site: str | None
    role: str | None


@dataclass(frozen=True)
class LinkRow:
    a: End
    b: End
    first_run: int
    last_run: int


@dataclass(frozen=True)
class PendingRow:
    device: str
    local_port: str
    protocol: str
    remote_device: str
    remote_port: str
    reason: str


@dataclass(frozen=True)
class TopologyReport:
    links: tuple[LinkRow, ...]
    attachments: tuple[LinkRow, ...]  # a = the endpoint, b = the switch port
    pending: tuple[PendingRow, ...]


def topology_report(store: GraphStore, site: str | None = None) -> TopologyReport:
    """The topology as stored; `site` keeps what touches a device at that site."""
    view = read_view(store)
    pending = tuple(
        PendingRow(view.devices[p.neighbor.device].name, p.neighbor.local_interface,
                   p.neighbor.protocol, p.neighbor.remote_device, p.neighbor.remote_port,
                   p.reason)
        for p in derive_links(view).pending
        if site is None or view.devices[p.neighbor.device].site == site)
    return TopologyReport(_rows(view, view.links, site), _rows(view, view.attachments, site),
                          tuple(sorted(pending, key=lambda r: (r.device, r.local_port))))


def _rows(view: TopologyView, rels: Iterable[RelRecord], site: str | None
          ) -> tuple[LinkRow, ...]:
    ends = {}
    for port in view.ports:
        device = view.devices[port.device]
        ends[port.uid] = End(device.name, port.name, device.site, device.role)
    rows = [LinkRow(ends[r.src], ends[r.dst], r.first_run, r.last_run)
            for r in rels if r.src in ends and r.dst in ends]
    kept = [r for r in rows if site is None or site in (r.a.site, r.b.site)]
    return tuple(sorted(kept, key=lambda r: (r.a.device, r.a.port, r.b.device, r.b.port)))


def report_to_json(report: TopologyReport) -> dict[str, Any]:
    return {"links": [asdict(r) for r in report.links],
            "attachments": [asdict(r) for r in report.attachments],
            "pending": [asdict(r) for r in report.pending]}


_SHAPES = {"network": "box", "server": "component", "desktop": "note", "atm": "cds"}


def report_to_dot(report: TopologyReport) -> str:
    """Graphviz: one node per device (grouped by site), one edge per link labelled with
    its ports; attachments dashed. `dot -Tsvg` draws it."""
    devices: dict[str, End] = {}
    for row in (*report.links, *report.attachments):
        devices.setdefault(row.a.device, row.a)
        devices.setdefault(row.b.device, row.b)
    lines = ["graph topology {", '  graph [overlap=false, rankdir=LR];',
             '  node [fontname="Helvetica"]; edge [fontname="Helvetica", fontsize=9];']
    by_site: dict[str | None, list[End]] = {}
    for end in devices.values():
        by_site.setdefault(end.site, []).append(end)
    for number, (site, members) in enumerate(sorted(by_site.items(), key=lambda i: i[0] or "")):
        indent = "  " if site is None else "    "
        if site is not None:
            lines += [f"  subgraph cluster_{number} {{", f"    label={_quote(site)};"]
        lines += [f"{indent}{_quote(e.device)} [shape={_SHAPES.get(e.role or '', 'ellipse')}];"
                  for e in sorted(members, key=lambda e: e.device)]
        if site is not None:
            lines.append("  }")
    lines += [f"  {_quote(r.a.device)} -- {_quote(r.b.device)} "
              f"[taillabel={_quote(r.a.port)}, headlabel={_quote(r.b.port)}];"
              for r in report.links]
    lines += [f"  {_quote(r.a.device)} -- {_quote(r.b.device)} "
              f"[style=dashed, headlabel={_quote(r.b.port)}];" for r in report.attachments]
    return "\n".join([*lines, "}"]) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
