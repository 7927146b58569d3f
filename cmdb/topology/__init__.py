"""Layer-2 topology, derived from what discovery stored (like Cartography's analysis
jobs): CONNECTED_TO between interfaces from LLDP/CDP neighbours whose far end is in the
graph, and ATTACHED_TO from endpoints' interfaces to the switch ports their MACs were
learnt on. Neighbours whose far end is unknown stay as pending Neighbor records.

`update_topology` runs after each ingest, in the same run: it re-derives everything from
the present graph and applies only the differences through `store.apply` (a link seen
again gets its last run updated; one no longer derived is marked absent, with history).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cmdb.changeset import ChangeSet, RelChange, RunInfo
from cmdb.store.base import GraphStore, RelRecord
from cmdb.topology.attach import Attachment, derive_attachments
from cmdb.topology.links import Link, NeighborLinks, Pending, derive_links
from cmdb.topology.view import ATTACHED_TO, CONNECTED_TO, TopologyView, read_view


@dataclass(frozen=True)
class Topology:
    links: NeighborLinks
    attachments: tuple[Attachment, ...]

    @property
    def pending(self) -> tuple[Pending, ...]:
        return self.links.pending


@dataclass(frozen=True)
class TopologySummary:
    links: int
    links_added: int
    links_removed: int
    attachments: int
    attachments_added: int
    attachments_removed: int
    pending: int


def derive(view: TopologyView) -> Topology:
    links = derive_links(view)
    return Topology(links, derive_attachments(view, links.links))


def update_topology(store: GraphStore, run: RunInfo) -> TopologySummary:
    """Re-derive the topology from the present graph and store the differences."""
    view = read_view(store)
    topology = derive(view)
    wanted_links = {(one.a, one.b) for one in topology.links.links}
    wanted_attachments = {(a.endpoint, a.switch_port) for a in topology.attachments}
    link_changes = _changes(CONNECTED_TO, wanted_links, view.links)
    attach_changes = _changes(ATTACHED_TO, wanted_attachments, view.attachments)
    if link_changes or attach_changes:
        store.apply(ChangeSet(run=run, rels=(*link_changes, *attach_changes)))
    return TopologySummary(
        len(wanted_links), _count(link_changes, True, view.links),
        _count(link_changes, False, view.links), len(wanted_attachments),
        _count(attach_changes, True, view.attachments),
        _count(attach_changes, False, view.attachments), len(topology.pending))


def _changes(rel_type: str, wanted: set[tuple[str, str]], stored: Iterable[RelRecord]
             ) -> tuple[RelChange, ...]:
    """Every wanted pair (new, or seen again) and every stored pair no longer wanted."""
    gone = {(r.src, r.dst) for r in stored} - wanted
    return (*(RelChange(a, rel_type, b, True) for a, b in sorted(wanted)),
            *(RelChange(a, rel_type, b, False) for a, b in sorted(gone)))


def _count(changes: Iterable[RelChange], present: bool, stored: Iterable[RelRecord]) -> int:
    known = {(r.src, r.dst) for r in stored}
    if present:
        return sum(1 for c in changes if c.present and (c.src, c.dst) not in known)
    return sum(1 for c in changes if not c.present)


__all__ = ["Attachment", "Link", "Pending", "Topology", "TopologySummary", "TopologyView",
           "derive", "read_view", "update_topology"]
