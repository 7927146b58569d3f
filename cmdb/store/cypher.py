"""Cypher for the Neo4j store, generated from the schema. Pure: strings in, strings out.

Labels, relationship types and declared property names come only from the schema
declarations (checked here); every value travels as a parameter. Properties whose
names come from data (config settings such as `settings.PermitRootLogin`) are written
through a parameter map (`SET n += row.props`), so no data ever becomes Cypher text.

Graph model:
- every CI is `(:CI:<Label> {uid, status, owner, device, first_run, last_run,
  absent_since, <current properties>, _prov, _obs})`: current values are plain node
  properties (fast current-state queries); `_prov` (who said each value, JSON) and
  `_obs` (every source's latest value, JSON) keep provenance and losing values; a
  Device also holds `_digest` and `_digest_run` (its last applied facts digest);
- relationships are real relationships with `{status, first_run, last_run}`;
- history entries are `(:Change {seq, run, at, uid, kind, name, other, old, new,
  source})` nodes, indexed by uid and run, not linked, so traversals see only CIs;
- `(:Run)`, `(:Conflict)`, `(:Evidence {uid, kind, value})` and `(:Counter)` nodes hold
  runs, identity conflicts, identity evidence and the run / history sequence.
"""

from __future__ import annotations

from collections.abc import Sequence

from cmdb.schema import NODE_TYPES, RELATIONSHIPS
from cmdb.store.impact import Direction

CI = "CI"


class CypherError(ValueError):
    """A label or relationship type that the schema does not declare."""


def _label(label: str) -> str:
    if label not in NODE_TYPES:
        raise CypherError(f"unknown label {label!r}")
    return label


def _rel(rel_type: str) -> str:
    if rel_type not in RELATIONSHIPS:
        raise CypherError(f"unknown relationship type {rel_type!r}")
    return rel_type


def _snake(label: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in label).lstrip("_")


def schema_statements() -> list[str]:
    """Constraints and indexes (Community edition kinds only), idempotent."""
    statements = [
        f"CREATE CONSTRAINT ci_uid IF NOT EXISTS FOR (n:{CI}) REQUIRE n.uid IS UNIQUE",
        f"CREATE INDEX ci_device IF NOT EXISTS FOR (n:{CI}) ON (n.device)",
        "CREATE CONSTRAINT run_number IF NOT EXISTS FOR (r:Run) REQUIRE r.run IS UNIQUE",
        "CREATE CONSTRAINT counter_name IF NOT EXISTS FOR (c:Counter) REQUIRE c.name IS UNIQUE",
        "CREATE INDEX change_uid IF NOT EXISTS FOR (c:Change) ON (c.uid, c.seq)",
        "CREATE INDEX change_run IF NOT EXISTS FOR (c:Change) ON (c.run)",
        "CREATE INDEX change_other IF NOT EXISTS FOR (c:Change) ON (c.other)",
        "CREATE INDEX evidence_value IF NOT EXISTS FOR (e:Evidence) ON (e.kind, e.value)",
        "CREATE INDEX evidence_uid IF NOT EXISTS FOR (e:Evidence) ON (e.uid)",
        "CREATE INDEX conflict_run IF NOT EXISTS FOR (c:Conflict) ON (c.run)",
    ]
    for label, cls in sorted(NODE_TYPES.items()):
        name = _snake(label)
        statements.append(f"CREATE CONSTRAINT {name}_uid IF NOT EXISTS "
                          f"FOR (n:{label}) REQUIRE n.uid IS UNIQUE")
        for prop in sorted(p.name for p in cls.SPEC.properties.values()
                           if p.indexed and not p.mapping):
            statements.append(f"CREATE INDEX {name}_{prop} IF NOT EXISTS "
                              f"FOR (n:{label}) ON (n.{prop})")
    return statements


def schema_name(statement: str) -> str:
    """The constraint or index name a schema statement creates."""
    return statement.split()[2]


EXISTING_SCHEMA = ("SHOW CONSTRAINTS YIELD name RETURN name",
                   "SHOW INDEXES YIELD name RETURN name")


def create_nodes(label: str) -> str:
    """New CIs of one label with their first properties. CREATE, not MERGE: the apply
    read, in this same transaction, that they do not exist (a retry re-reads)."""
    return (f"UNWIND $rows AS row CREATE (n:{_label(label)}:{CI} {{uid: row.uid}}) "
            "SET n += row.props, n.status = 'present', n.owner = row.owner, "
            "n.device = row.device, n.first_run = $run, n.last_run = $run, "
            "n._prov = row.prov, n._obs = row.obs")


def touch_nodes() -> str:
    return f"UNWIND $uids AS uid MATCH (n:{CI} {{uid: uid}}) SET n.last_run = $run"


def set_status() -> str:
    return (f"UNWIND $rows AS row MATCH (n:{CI} {{uid: row.uid}}) "
            "SET n.status = row.status, n.absent_since = row.absent_since")


def set_properties() -> str:
    """`row.props` maps names to new values (null removes); provenance replaces whole."""
    return (f"UNWIND $rows AS row MATCH (n:{CI} {{uid: row.uid}}) "
            "SET n += row.props, n._prov = row.prov, n._obs = row.obs")


def create_relationships(rel_type: str) -> str:
    """New relationships (the apply read that they do not exist yet)."""
    spec = RELATIONSHIPS[_rel(rel_type)]
    return (f"UNWIND $rows AS row MATCH (a:{_label(spec.src)} {{uid: row.src}}) "
            f"MATCH (b:{_label(spec.dst)} {{uid: row.dst}}) "
            f"CREATE (a)-[r:{rel_type} {{status: row.status, first_run: $run, "
            "last_run: $run}]->(b)")


def set_relationship_status(rel_type: str) -> str:
    """A stored relationship gone (absent) or back (present)."""
    return f"{_match_relationship(rel_type)} SET r.status = row.status, r.last_run = $run"


def touch_relationships(rel_type: str) -> str:
    return f"{_match_relationship(rel_type)} SET r.last_run = $run"


# Seek both ends by uid. Without the hints, a young database's statistics can make the
# planner scan the whole uid index for every row (seen: 4.7M index entries for 955 rows).
_SEEK_BOTH = f"USING INDEX a:{CI}(uid) USING INDEX b:{CI}(uid)"


def _match_relationship(rel_type: str) -> str:
    spec = RELATIONSHIPS[_rel(rel_type)]
    return (f"UNWIND $rows AS row MATCH (a:{_label(spec.src)}:{CI} {{uid: row.src}})"
            f"-[r:{rel_type}]->(b:{_label(spec.dst)}:{CI} {{uid: row.dst}}) {_SEEK_BOTH}")


def insert_history() -> str:
    return "UNWIND $rows AS row CREATE (c:Change) SET c = row"


def next_value() -> str:
    """Reserve `$n` numbers from a named counter; returns the first."""
    return ("MERGE (c:Counter {name: $name}) ON CREATE SET c.value = 0 "
            "SET c.value = c.value + $n RETURN c.value - $n + 1 AS first")


def read_nodes() -> str:
    return (f"UNWIND $uids AS uid MATCH (n:{CI} {{uid: uid}}) "
            "RETURN n.uid AS uid, n.status AS status, properties(n) AS props")


def read_relationships() -> str:
    """Stored relationships among those asked; the type is compared as a value."""
    return (f"UNWIND $rows AS row MATCH (a:{CI} {{uid: row.src}})-[r]->(b:{CI} {{uid: row.dst}}) "
            f"{_SEEK_BOTH} WHERE type(r) = row.type "
            "RETURN a.uid AS src, type(r) AS type, b.uid AS dst, r.status AS status")


def list_nodes(label: str | None) -> str:
    match = f"(n:{_label(label)})" if label else f"(n:{CI})"
    return (f"MATCH {match} RETURN n.uid AS uid, labels(n) AS labels, properties(n) AS props "
            "ORDER BY uid")


def impact(types: Sequence[str], direction: Direction, max_depth: int) -> str:
    """All shortest paths from the root to every CI it reaches over present
    relationships of `types` (any type when empty) and present CIs, up to `max_depth`
    hops; the store picks one explanation per CI with impact.choose_paths."""
    if not 1 <= max_depth <= 20:
        raise CypherError(f"depth {max_depth} out of range 1..20")
    rel = "r" + (":" + "|".join(_rel(t) for t in types) if types else "")
    left, right = {Direction.OUT: ("-", "->"), Direction.IN: ("<-", "-"),
                   Direction.BOTH: ("-", "-")}[direction]
    return (f"MATCH p = ALL SHORTEST (root:{CI} {{uid: $uid}}) "
            f"(() {left}[{rel} WHERE r.status = 'present']{right} "
            f"(x:{CI} WHERE x.status = 'present')){{1,{max_depth}}} (end) "
            "RETURN [rel IN relationships(p) | "
            "[startNode(rel).uid, type(rel), endNode(rel).uid]] AS path")


# ---- fixed queries (no schema names in them) ----------------------------------------

BEGIN_RUN = ("CREATE (r:Run {run: $run, kind: $kind, started_at: $started_at, "
             "status: 'running'})")
FINISH_RUN = ("MERGE (r:Run {run: $run}) SET r.kind = $kind, r.started_at = $started_at, "
              "r.finished_at = $finished_at, r.status = 'done', r.targets = $targets, "
              "r.summary = $summary")
WRITE_EVIDENCE = ("UNWIND $rows AS row MERGE (e:Evidence {uid: row.uid, kind: row.kind}) "
                  "SET e.value = row.value")
WRITE_CONFLICTS = ("UNWIND $rows AS row MERGE (c:Conflict {run: row.run, kind: row.kind, "
                   "target: row.target, evidence: row.evidence}) ON CREATE SET "
                   "c.seq = row.seq, c.candidates = row.candidates, c.detail = row.detail")
RUN_SUMMARY = ("MATCH (r:Run {run: $run}) OPTIONAL MATCH (c:Conflict {run: $run}) "
               "RETURN r.summary AS summary, r.targets AS targets, count(c) AS conflicts")
DEVICES_WITH_EVIDENCE = ("UNWIND $pairs AS pair MATCH (e:Evidence {kind: pair[0], "
                         "value: pair[1]}) RETURN DISTINCT e.uid AS uid")
EVIDENCE_OF = ("UNWIND $uids AS uid MATCH (e:Evidence {uid: uid}) "
               "RETURN e.uid AS uid, e.kind AS kind, e.value AS value")
SUBTREES = (f"UNWIND $uids AS device MATCH (n:{CI} {{device: device}}) "
            "RETURN n.uid AS uid, labels(n) AS labels, n.owner AS owner, n.device AS device, "
            "n.status AS status, n._obs AS obs")
RELS_FROM = (f"UNWIND $uids AS uid MATCH (a:{CI} {{uid: uid}})-[r]->(b:{CI}) "
             f"USING INDEX a:{CI}(uid) "
             "WHERE r.status = 'present' RETURN a.uid AS src, type(r) AS type, b.uid AS dst")
# A device's facts digest is current while nothing touched the device after it.
CURRENT_DIGESTS = (f"UNWIND $uids AS uid MATCH (d:{CI} {{uid: uid}}) "
                   "WHERE d._digest IS NOT NULL AND d._digest_run = d.last_run "
                   "RETURN d.uid AS uid, d._digest AS digest")
WRITE_DIGESTS = (f"UNWIND $rows AS row MATCH (d:{CI} {{uid: row.uid}}) "
                 "SET d._digest = row.digest, d._digest_run = $run")
# An unchanged device: mark seen what its last ingest saw (rows: uid, since), like a
# rebuild would: its relationships and the shared CIs they lead to, then its CIs.
DIGEST_RUNS = (f"UNWIND $uids AS uid MATCH (d:{CI} {{uid: uid}}) "
               "WHERE d._digest_run < $run RETURN d.uid AS uid, d._digest_run AS since")
TOUCH_UNCHANGED_RELS = (
    f"UNWIND $rows AS row MATCH (n:{CI} {{device: row.uid}})-[r]->(m:{CI}) "
    "WHERE r.status = 'present' AND r.last_run = row.since SET r.last_run = $run "
    "WITH DISTINCT m WHERE m.device IS NULL AND m.status = 'present' "
    "SET m.last_run = $run")
TOUCH_UNCHANGED_NODES = (
    f"UNWIND $rows AS row MATCH (n:{CI} {{device: row.uid}}) "
    "WHERE n.status = 'present' AND n.last_run = row.since SET n.last_run = $run")
DIGEST_SEEN = f"UNWIND $uids AS uid MATCH (d:{CI} {{uid: uid}}) SET d._digest_run = $run"
NEIGHBOURS = (f"MATCH (a:{CI} {{uid: $uid}})-[r]-(b:{CI}) RETURN startNode(r).uid AS src, "
              "type(r) AS type, endNode(r).uid AS dst, r.status AS status")
LABELS_OF = (f"UNWIND $uids AS uid MATCH (n:{CI} {{uid: uid}}) "
             "RETURN n.uid AS uid, labels(n) AS labels")
RESOLVE = (f"MATCH (n:{CI}) WHERE n.uid = $ref OR (size($ref) >= 4 AND n.uid STARTS WITH $ref) "
           "RETURN n.uid AS uid, n.uid = $ref AS exact")
RESOLVE_HOST = "MATCH (n:Device) WHERE n.hostname = $ref OR n.fqdn = $ref RETURN n.uid AS uid"
HISTORY_OF = ("UNWIND $uids AS uid MATCH (c:Change {uid: uid}) WHERE c.run <= $run "
              "AND c.kind IN $kinds RETURN c ORDER BY c.seq")
HISTORY_TOUCHING = ("MATCH (c:Change) WHERE c.kind = 'relationship' AND c.run <= $run "
                    "AND (c.uid = $uid OR c.other = $uid) RETURN c ORDER BY c.seq")
OWNED = f"MATCH (n:{CI}) WHERE n.device = $uid OR n.owner = $uid RETURN n.uid AS uid"
HISTORY_BETWEEN = "MATCH (c:Change) WHERE c.run > $a AND c.run <= $b RETURN c ORDER BY c.seq"
RUNS = "MATCH (r:Run) RETURN r ORDER BY r.run DESC LIMIT $limit"
CONFLICTS = ("MATCH (c:Conflict) WHERE $run IS NULL OR c.run = $run "
             "RETURN c ORDER BY c.run, c.seq")
COMPONENTS = "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition"


# ---- whole-store export and import (cmdb store migrate) -------------------------------

def import_nodes(label: str) -> str:
    """Nodes with every stored property, into an empty store."""
    return f"UNWIND $rows AS row CREATE (n:{_label(label)}:{CI}) SET n = row"


def import_relationships(rel_type: str) -> str:
    spec = RELATIONSHIPS[_rel(rel_type)]
    return (f"UNWIND $rows AS row MATCH (a:{_label(spec.src)} {{uid: row.src}}) "
            f"MATCH (b:{_label(spec.dst)} {{uid: row.dst}}) CREATE (a)-[r:{rel_type}]->(b) "
            "SET r.status = row.status, r.first_run = row.first_run, r.last_run = row.last_run")


COUNTS = {
    "nodes": f"MATCH (n:{CI}) RETURN count(n) AS n",
    "relationships": f"MATCH (:{CI})-[r]->(:{CI}) RETURN count(r) AS n",
    "history": "MATCH (c:Change) RETURN count(c) AS n",
    "runs": "MATCH (r:Run) RETURN count(r) AS n",
    "evidence": "MATCH (e:Evidence) RETURN count(e) AS n",
    "conflicts": "MATCH (c:Conflict) RETURN count(c) AS n",
}
ALL_OBSERVATIONS = f"MATCH (n:{CI}) RETURN n.uid AS uid, n._obs AS obs"
ALL_NODES = f"MATCH (n:{CI}) RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.uid"
ALL_RELATIONSHIPS = (f"MATCH (a:{CI})-[r]->(b:{CI}) RETURN a.uid AS src, type(r) AS type, "
                     "b.uid AS dst, r.status AS status, r.first_run AS first_run, "
                     "r.last_run AS last_run")
def relationships_of(rel_type: str) -> str:
    """Present relationships of one type, with the runs that first and last saw them."""
    spec = RELATIONSHIPS[_rel(rel_type)]
    return (f"MATCH (a:{_label(spec.src)})-[r:{rel_type}]->(b:{_label(spec.dst)}) "
            "WHERE r.status = 'present' RETURN a.uid AS src, b.uid AS dst, "
            "r.first_run AS first_run, r.last_run AS last_run ORDER BY src, dst")


ALL_EVIDENCE = "MATCH (e:Evidence) RETURN e.uid AS uid, e.kind AS kind, e.value AS value"
ALL_HISTORY = "MATCH (c:Change) RETURN c ORDER BY c.seq"
ALL_CONFLICTS = "MATCH (c:Conflict) RETURN c ORDER BY c.run, c.seq"
IMPORT_ROWS = {
    "evidence": "UNWIND $rows AS row CREATE (e:Evidence) SET e = row",
    "runs": "UNWIND $rows AS row CREATE (r:Run) SET r = row",
}
SET_COUNTER = "MERGE (c:Counter {name: $name}) SET c.value = $value"
