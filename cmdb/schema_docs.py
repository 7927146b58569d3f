"""The schema documentation, generated from the declarations (`cmdb schema`,
docs/schema.md): CI classes, keys, owners, properties, relationships, storage."""

from __future__ import annotations

import inspect

from cmdb.schema import NODE_TYPES, RELATIONSHIPS
from cmdb.store import cypher, plan, sqlite


def render_markdown() -> str:
    lines = ["# cmdb-auditor schema", "",
             "Generated from `cmdb/schema/` by `cmdb schema`; do not edit by hand.", "",
             "## CI classes", ""]
    for label, cls in sorted(NODE_TYPES.items()):
        spec = cls.SPEC
        key = ", ".join(spec.key) if spec.key else f"identity evidence ({', '.join(spec.identity)})"
        owner = (f"owned by `{spec.owner.label}` via `{spec.owner.rel}`" if spec.owner
                 else "global")
        lines += [f"### {label}", "", spec.doc, "",
                  f"- natural key: {key}; {owner}; uid prefix `{spec.uid_prefix}-`", "",
                  "| property | indexed | description |", "|---|---|---|"]
        for prop in spec.properties.values():
            name = f"{prop.name}.*" if prop.mapping else prop.name
            marker = "key" if prop.name in spec.key else ("yes" if prop.indexed else "")
            lines.append(f"| `{name}` | {marker} | {prop.doc} |")
        lines.append("")
    lines += ["## Relationships", "", "| type | from | to | description |", "|---|---|---|---|"]
    lines += [f"| `{r.type}` | {r.src} | {r.dst} | {r.doc} |"
              for r in sorted(RELATIONSHIPS.values(), key=lambda r: r.type)]
    lines += ["", "## History", "", _doc(plan), "", "## Storage in SQLite", "", _doc(sqlite),
              "", "## Storage in Neo4j", "", _doc(cypher), ""]
    return "\n".join(lines)


def _doc(module: object) -> str:
    return inspect.cleandoc(inspect.getdoc(module) or "")
