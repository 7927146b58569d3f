"""The naive write path, for comparison only: one statement per node and per
relationship, one transaction per chunk, no snapshot, no provenance, no history.

It writes the same graph content (labels, uids, effective properties, relationships)
that reconciliation derives, so it does strictly *less* work than the real path; the
row derivation is done before the clock starts. Both favour the naive path, which makes
the batched/naive ratio a conservative one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import Driver

from cmdb.changeset import ChangeSet, RunInfo, Snapshot
from cmdb.reconcile import reconcile
from cmdb.schema import NODE_TYPES, RELATIONSHIPS, TargetFacts
from cmdb.store import cypher


@dataclass(frozen=True)
class Rows:
    """One chunk as plain rows: (uid, label, props) nodes and (src, type, dst) rels."""

    nodes: tuple[tuple[str, str, dict[str, Any]], ...]
    rels: tuple[tuple[str, str, str], ...]

    @property
    def count(self) -> int:
        return len(self.nodes) + len(self.rels)


def rows_of(batch: Sequence[TargetFacts], run: RunInfo) -> Rows:
    """What reconciliation would store for a fresh graph (pure; nothing is read)."""
    cs: ChangeSet = reconcile(batch, Snapshot(), run)
    props: dict[str, dict[str, Any]] = {n.uid: {} for n in cs.nodes}
    for p in cs.properties:
        if p.value is not None:
            props[p.uid][p.name] = p.value
    return Rows(tuple((n.uid, n.label, props[n.uid]) for n in cs.nodes),
                tuple((r.src, r.type, r.dst) for r in cs.rels if r.present))


# ---- Neo4j --------------------------------------------------------------------------

def _merge_node(label: str) -> str:
    if label not in NODE_TYPES:  # labels come from the schema only (DESIGN §6)
        raise ValueError(f"unknown label {label!r}")
    return (f"MERGE (n:{label} {{uid: $uid}}) ON CREATE SET n:{cypher.CI} "
            "SET n += $props")


def _merge_rel(rel_type: str) -> str:
    spec = RELATIONSHIPS[rel_type]
    return (f"MATCH (a:{spec.src} {{uid: $a}}) MATCH (b:{spec.dst} {{uid: $b}}) "
            f"MERGE (a)-[:{rel_type}]->(b)")


def neo4j_write(driver: Driver, rows: Rows) -> int:
    """One MERGE per node and per relationship in one transaction; returns statements."""
    with driver.session() as session, session.begin_transaction() as tx:
        for uid, label, props in rows.nodes:
            tx.run(_merge_node(label), uid=uid, props=props).consume()
        for src, rel_type, dst in rows.rels:
            tx.run(_merge_rel(rel_type), a=src, b=dst).consume()
        tx.commit()
    return rows.count


# ---- SQLite -------------------------------------------------------------------------

_NODE = ("INSERT INTO nodes VALUES(?,?,NULL,NULL,'present',?,?,NULL) "
         "ON CONFLICT(uid) DO UPDATE SET last_run=excluded.last_run")
_PROP = ("INSERT INTO props VALUES(?,?,?,NULL,NULL,?) ON CONFLICT(uid, name) DO UPDATE "
         "SET value=excluded.value, run=excluded.run")
_REL = ("INSERT INTO rels VALUES(?,?,?,'present',?,?) ON CONFLICT(src, type, dst) "
        "DO UPDATE SET last_run=excluded.last_run")


def sqlite_write(conn: sqlite3.Connection, rows: Rows, run: int) -> int:
    """One INSERT ... ON CONFLICT per table row (node, property, relationship) and one
    commit per chunk, into the store's own tables; returns statements."""
    statements = 0
    conn.execute("BEGIN IMMEDIATE")
    for uid, label, props in rows.nodes:
        conn.execute(_NODE, (uid, label, run, run))
        for name, value in props.items():
            conn.execute(_PROP, (uid, name, json.dumps(value, sort_keys=True), run))
        statements += 1 + len(props)
    for src, rel_type, dst in rows.rels:
        conn.execute(_REL, (src, rel_type, dst, run, run))
    conn.execute("COMMIT")
    return statements + len(rows.rels)
