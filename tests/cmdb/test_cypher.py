"""Golden strings for the generated Cypher: labels, types and property names come only
from the schema; values only as parameters."""

from __future__ import annotations

import pytest

from cmdb.store import cypher
from cmdb.store.impact import Direction


def test_schema_statements_cover_every_label_and_indexed_property() -> None:
    statements = cypher.schema_statements()
    assert ("CREATE CONSTRAINT device_uid IF NOT EXISTS FOR (n:Device) REQUIRE n.uid IS UNIQUE"
            in statements)
    assert ("CREATE CONSTRAINT ip_address_uid IF NOT EXISTS FOR (n:IpAddress) "
            "REQUIRE n.uid IS UNIQUE" in statements)
    assert "CREATE INDEX device_hostname IF NOT EXISTS FOR (n:Device) ON (n.hostname)" in statements
    assert "CREATE INDEX package_version IF NOT EXISTS FOR (n:Package) ON (n.version)" in statements
    assert not any("settings" in s for s in statements)  # mapping entries are data
    assert all("IF NOT EXISTS" in s for s in statements)  # safe to run at every start
    names = [cypher.schema_name(s) for s in statements]
    assert len(names) == len(set(names)) and "device_hostname" in names


def test_node_creation_carries_the_first_properties() -> None:
    assert cypher.create_nodes("Package") == (
        "UNWIND $rows AS row CREATE (n:Package:CI {uid: row.uid}) SET n += row.props, "
        "n.status = 'present', n.owner = row.owner, n.device = row.device, "
        "n.first_run = $run, n.last_run = $run, n._prov = row.prov, n._obs = row.obs")


def test_properties_travel_as_a_parameter_map() -> None:
    assert cypher.set_properties() == (
        "UNWIND $rows AS row MATCH (n:CI {uid: row.uid}) "
        "SET n += row.props, n._prov = row.prov, n._obs = row.obs")


def test_relationships_use_the_declared_endpoints() -> None:
    assert cypher.create_relationships("HAS_IP") == (
        "UNWIND $rows AS row MATCH (a:Interface {uid: row.src}) "
        "MATCH (b:IpAddress {uid: row.dst}) CREATE (a)-[r:HAS_IP {status: row.status, "
        "first_run: $run, last_run: $run}]->(b)")
    assert cypher.set_relationship_status("LOCATED_IN") == (
        "UNWIND $rows AS row MATCH (a:Device:CI {uid: row.src})-[r:LOCATED_IN]->"
        "(b:Site:CI {uid: row.dst}) USING INDEX a:CI(uid) USING INDEX b:CI(uid) "
        "SET r.status = row.status, r.last_run = $run")


def test_absence_marking() -> None:
    assert cypher.set_status() == (
        "UNWIND $rows AS row MATCH (n:CI {uid: row.uid}) "
        "SET n.status = row.status, n.absent_since = row.absent_since")


@pytest.mark.parametrize(("direction", "arrows"), [
    (Direction.OUT, "() -[r:DEPENDS_ON|RUNS WHERE r.status = 'present']-> "),
    (Direction.IN, "() <-[r:DEPENDS_ON|RUNS WHERE r.status = 'present']- "),
    (Direction.BOTH, "() -[r:DEPENDS_ON|RUNS WHERE r.status = 'present']- "),
])
def test_impact_is_a_bounded_quantified_path(direction: Direction, arrows: str) -> None:
    query = cypher.impact(["DEPENDS_ON", "RUNS"], direction, 4)
    assert query == (
        "MATCH p = ALL SHORTEST (root:CI {uid: $uid}) (" + arrows
        + "(x:CI WHERE x.status = 'present')){1,4} (end) RETURN [rel IN relationships(p) | "
        "[startNode(rel).uid, type(rel), endNode(rel).uid]] AS path")
    assert "[r WHERE" in cypher.impact([], direction, 2)  # any type


@pytest.mark.parametrize("bad", [
    lambda: cypher.create_nodes("Device) DETACH DELETE n //"),
    lambda: cypher.create_relationships("HAS_IP]->() DELETE r //"),
    lambda: cypher.impact(["RUNS|X"], Direction.OUT, 2),
    lambda: cypher.impact(["RUNS"], Direction.OUT, 99),
    lambda: cypher.list_nodes("Nope"),
])
def test_names_outside_the_schema_are_refused(bad) -> None:
    with pytest.raises(cypher.CypherError):
        bad()
