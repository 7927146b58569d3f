"""A real Neo4j 5.26 server for tests: Maven-built embedded launcher + Python control."""

from tests.neo4j_server.server import (
    INSTALL_HINT,
    Neo4jServer,
    Neo4jServerError,
    build,
    is_built,
    missing_tools,
)

__all__ = ["INSTALL_HINT", "Neo4jServer", "Neo4jServerError", "build", "is_built",
           "missing_tools"]
