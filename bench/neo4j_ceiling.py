"""How fast can this machine's Neo4j take the benchmark graph at all?

Writes the same nodes and relationships as `bench.ingest` (same fleet, same chunks) with
the cheapest statements the model allows: `UNWIND $rows CREATE` per label, then
`UNWIND $rows MATCH, MATCH, CREATE` per relationship type, one transaction per chunk,
batches of 5,000 rows. No snapshot, no reconciliation, no provenance blobs beyond a
fixed-size stand-in, no history, no observations. Rows are derived before the clock
starts. Whatever this reaches is an upper bound for any path that keeps history.

    .venv/bin/python -m bench.neo4j_ceiling --devices 2000 [--minimal-indexes]

`--minimal-indexes` creates only the `CI.uid` constraint and the device index (the
store's per-label uid constraints and property indexes cost extra index writes).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from neo4j import GraphDatabase, ManagedTransaction

from bench import fleet, naive
from cmdb.store import cypher
from tests.neo4j_server import Neo4jServer

BATCH = 5000


def _rel_statement(rel_type: str, minimal: bool) -> str:
    if not minimal:
        return cypher.create_relationships(rel_type)
    return (f"UNWIND $rows AS row MATCH (a:{cypher.CI} {{uid: row.src}}) "
            f"MATCH (b:{cypher.CI} {{uid: row.dst}}) "
            f"CREATE (a)-[r:{rel_type} {{status: 'present', first_run: $run, "
            "last_run: $run}]->(b)")


def _rows(chunk: naive.Rows, seen: set[str]) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    nodes: dict[str, list[Any]] = defaultdict(list)
    for uid, label, props in chunk.nodes:
        if uid in seen:  # sites are shared by chunks
            continue
        seen.add(uid)
        blob = json.dumps({k: "ssh" for k in props})
        nodes[label].append({"uid": uid, "props": props, "owner": None, "device": None,
                             "prov": blob, "obs": blob})
    rels: dict[str, list[Any]] = defaultdict(list)
    for src, rel_type, dst in chunk.rels:
        rels[rel_type].append({"src": src, "dst": dst, "status": "present"})
    return nodes, rels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--minimal-indexes", action="store_true")
    args = parser.parse_args()
    shape = fleet.Shape()
    chunks = [naive.rows_of(fleet.chunk_facts(shape, a, b), fleet.run_info(1, a, b))
              for a, b in fleet.chunks(args.devices, 250)]
    with tempfile.TemporaryDirectory() as tmp, Neo4jServer() as server:
        uri = server.start(Path(tmp) / "neo4j", heap="2g", page_cache="1g")
        with GraphDatabase.driver(uri, auth=server.auth) as driver:
            statements = cypher.schema_statements()
            with driver.session() as session:
                for statement in statements[:2] if args.minimal_indexes else statements:
                    session.run(statement).consume()
            _load(driver, chunks, args.minimal_indexes)


def _load(driver: Any, chunks: list[naive.Rows], minimal: bool) -> None:
    seen: set[str] = set()
    total, started, times = 0, time.perf_counter(), []
    for chunk in chunks:
        nodes, rels = _rows(chunk, seen)

        began = time.perf_counter()
        with driver.session() as session:
            session.execute_write(_write, nodes, rels, minimal)
        times.append(time.perf_counter() - began)
        total += chunk.count
    elapsed = time.perf_counter() - started
    median = sorted(times)[len(times) // 2]
    print(f"{total:,} rows in {elapsed:.1f} s: {total / elapsed:,.0f} rows/s overall, "
          f"{chunks[0].count / median:,.0f} rows/s median chunk "
          f"({'minimal' if minimal else 'store'} indexes)")


def _write(tx: ManagedTransaction, nodes: dict[str, list[Any]], rels: dict[str, list[Any]],
           minimal: bool) -> None:
    for label, rows in nodes.items():
        for i in range(0, len(rows), BATCH):
            tx.run(cypher.create_nodes(label), rows=rows[i:i + BATCH], run=1).consume()
    for rel_type, rows in rels.items():
        for i in range(0, len(rows), BATCH):
            tx.run(_rel_statement(rel_type, minimal), rows=rows[i:i + BATCH], run=1).consume()


if __name__ == "__main__":
    main()
