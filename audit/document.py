"""A device as one JSON document: what rules, selectors and snapshot baselines look at.

Built from the graph in bulk (one read per CI class, not one per device), so an audit
over a large fleet reads the store a handful of times. The shape, per device:

    {"uid", "label", "status", "last_run", <Device properties>, "site": "dc1",
     "tags": [...], "os": {...},
     "interfaces": {name: {..., "ips": ["10.0.0.5", ...]}},
     "packages": {name: {...}}, "services": {name: {...}},
     "listening_ports": {"tcp 0.0.0.0:22": {...}},
     "config_files": {path: {"sha256", "size", "format", "settings": {key: value}}},
     "config_snapshots": {"running": {"sha256", "text", "secret_fingerprints", ...}},
     "config_lines": [...], "config_sections": {...},   # from the running config
     <other owned classes>: {natural key: {...}}}

Classes owned by a device become mappings by their natural key (a rule or a baseline
names `packages.openssh-server.version`); several key fields are joined with a space,
except packages (by name; `name:arch` for a second architecture of the same name).
Properties declared as mappings (config settings) are nested again. A device with a
running configuration also gets it split into `config_lines` and `config_sections`
(audit.configtext), the shape the network rule packs read.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from audit.configtext import split_config
from cmdb.schema import NODE_TYPES
from cmdb.store.base import GraphStore, NodeRecord

# Document keys of CI classes; anything owned by a device and not named here gets the
# snake_case plural of its label.
_SECTION = {
    "Interface": "interfaces",
    "Package": "packages",
    "Service": "services",
    "ListeningPort": "listening_ports",
    "ConfigFile": "config_files",
}
_SINGLE = {"OperatingSystem": "os"}  # one per device: a plain sub-document
_NESTED = {"IpAddress": ("interfaces", "interface", "ips", "address")}  # list in owner


def device_documents(store: GraphStore, as_of: int | None = None,
                     devices: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """Documents of present devices (all, or those in `devices`), by device uid."""
    wanted = set(devices) if devices is not None else None
    docs = {r.uid: _device_doc(r) for r in store.nodes("Device", as_of=as_of)
            if wanted is None or r.uid in wanted}
    for device, site in _sites(store, as_of):
        if device in docs:
            docs[device]["site"] = site
    for label in sorted(NODE_TYPES):
        if label not in ("Device", "Site"):
            _add_class(docs, label, store.nodes(label, as_of=as_of))
    for doc in docs.values():
        _add_running_config(doc)
    return docs


def _sites(store: GraphStore, as_of: int | None) -> list[tuple[str, Any]]:
    """(device uid, site name) for each device placed at a present site; a device at
    several gets the last site by uid."""
    sites = store.nodes("Site", as_of=as_of)
    if as_of is not None:  # relationships as of a past run: one read per site
        return [(device.uid, site.value("name")) for site in sites
                for device in store.nodes("Device", linked=("LOCATED_IN", site.uid),
                                          as_of=as_of)]
    names = {site.uid: site.value("name") for site in sites}
    placed = sorted((rel.dst, rel.src) for rel in store.relationships("LOCATED_IN")
                    if rel.dst in names)
    return [(device, names[site]) for site, device in placed]


def _add_running_config(doc: dict[str, Any]) -> None:
    text = doc.get("config_snapshots", {}).get("running", {}).get("text")
    if isinstance(text, str):
        doc["config_lines"], doc["config_sections"] = split_config(text)


def _device_doc(record: NodeRecord) -> dict[str, Any]:
    doc: dict[str, Any] = {"uid": record.uid, "label": record.label,
                           "status": record.status.value, "last_run": record.last_run,
                           "tags": []}
    doc.update(_properties(record))
    return doc


def _add_class(docs: dict[str, dict[str, Any]], label: str,
               records: Iterable[NodeRecord]) -> None:
    nested = _NESTED.get(label)
    for record in records:
        doc = docs.get(record.device or "")
        if doc is None:
            continue
        props = _properties(record)
        if nested:
            section, owner_key, field, value_key = nested
            owner = doc.get(section, {}).get(props.get(owner_key))
            if owner is not None and props.get(value_key) is not None:
                owner.setdefault(field, []).append(props[value_key])
                owner[field].sort()
        elif label in _SINGLE:
            doc.setdefault(_SINGLE[label], props)  # several: the first by uid
        else:
            section = doc.setdefault(section_of(label), {})
            key = _key_of(label, props)
            if key in section and label == "Package":  # a second arch (multiarch)
                key = f"{key}:{props.get('arch')}"
            section[key] = props


def section_of(label: str) -> str:
    if label in _SECTION:
        return _SECTION[label]
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in label).lstrip("_")
    return snake if snake.endswith("s") else f"{snake}s"


def _key_of(label: str, props: Mapping[str, Any]) -> str:
    spec = NODE_TYPES[label].SPEC
    if label == "ListeningPort":
        return f"{props.get('protocol')} {props.get('address')}:{props.get('port')}"
    if label == "Package":  # by name; see _add_class for several architectures
        return str(props.get("name"))
    return " ".join(str(props.get(name)) for name in spec.key)


@functools.cache
def _mapping_properties(label: str) -> frozenset[str]:
    return frozenset(p.name for p in NODE_TYPES[label].SPEC.properties.values() if p.mapping)


def _properties(record: NodeRecord) -> dict[str, Any]:
    """Current values; `settings.x` style names of mapping properties nested again."""
    mappings = _mapping_properties(record.label)
    props: dict[str, Any] = {}
    for name, value in sorted(record.properties.items()):
        head, _, rest = name.partition(".")
        if rest and head in mappings:
            props.setdefault(head, {})[rest] = value.value
        else:
            props[name] = value.value
    return props
