"""Load YAML inventory files into one flat `Inventory` (DESIGN §3).

Inheritance is flattened here, once, so nothing downstream knows about groups:
defaults < groups (parents first, in listed order) < host. Scalars: later wins; tags:
union; credentials and snmp: key by key; vars: deep merge. An explicit `null` on port,
site, role, a credential or an snmp key clears what was inherited. Every error names the
file, the line and the key path (`InventoryError`).
"""

from __future__ import annotations

import copy
import difflib
import ipaddress
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from inventory.credentials import InventoryError, parse_secret_ref
from inventory.model import Credentials, Inventory, SnmpCredentials, Target
from inventory.snmp_block import build_snmp, read_snmp_block
from inventory.yaml_source import KeyPath, Source, describe, dotted, read_yaml

__all__ = ["TRANSPORTS", "InventoryError", "load_inventory"]

TRANSPORTS = frozenset({"ssh", "snmp"})

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME = re.compile(r"\S+")

_LAYER_KEYS = frozenset({"platform", "transport", "port", "site", "role", "tags",
                         "credentials", "vars", "snmp"})
_GROUP_KEYS = _LAYER_KEYS | {"parents"}
_HOST_KEYS = _LAYER_KEYS | {"address", "groups"}
_TOP_KEYS = frozenset({"defaults", "groups", "hosts"})


# --- validating one file ------------------------------------------------------------------

_Check = Callable[[Source, object, KeyPath], object]


@dataclass(frozen=True)
class _Layer:
    """What one level (defaults, a group, a host) sets; absent keys inherit."""

    scalars: Mapping[str, object] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    credentials: Mapping[str, object] = field(default_factory=dict)
    vars: Mapping[str, Any] = field(default_factory=dict)
    snmp: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class _Group:
    name: str
    parents: tuple[str, ...]
    layer: _Layer
    src: Source
    path: KeyPath


@dataclass(frozen=True)
class _Host:
    name: str
    address: str
    network: IPNetwork | None
    groups: tuple[str, ...]
    layer: _Layer
    src: Source
    path: KeyPath


@dataclass(frozen=True)
class _FileDefs:
    src: Source
    defaults: _Layer | None
    groups: tuple[_Group, ...]
    hosts: tuple[_Host, ...]


def _parse_file(src: Source) -> _FileDefs:
    _check_keys(src, src.data, _TOP_KEYS, ())
    if not src.data:
        raise src.error((), "file defines nothing; expected defaults, groups and/or hosts")
    defaults = None
    if "defaults" in src.data:
        data = _mapping(src, src.data["defaults"], ("defaults",))
        _check_keys(src, data, _LAYER_KEYS, ("defaults",))
        defaults = _layer(src, data, ("defaults",))
    return _FileDefs(
        src, defaults,
        groups=tuple(_group(src, name, data) for name, data in _section(src, "groups")),
        hosts=tuple(_host(src, name, data) for name, data in _section(src, "hosts")))


def _section(src: Source, key: str) -> list[tuple[str, dict[str, Any]]]:
    """(name, settings) of each entry under groups/hosts; `web01:` alone means `{}`."""
    entries = _mapping(src, src.data.get(key), (key,))
    allowed = _GROUP_KEYS if key == "groups" else _HOST_KEYS
    out = []
    for name, value in entries.items():
        if not _NAME.fullmatch(name):
            raise src.error((key, name), f"name {name!r} must not contain whitespace")
        data = _mapping(src, value, (key, name))
        _check_keys(src, data, allowed, (key, name))
        out.append((name, data))
    return out


def _group(src: Source, name: str, data: Mapping[str, Any]) -> _Group:
    path: KeyPath = ("groups", name)
    parents = _str_list(src, data.get("parents"), (*path, "parents"))
    return _Group(name, parents, _layer(src, data, path), src, path)


def _host(src: Source, name: str, data: Mapping[str, Any]) -> _Host:
    path: KeyPath = ("hosts", name)
    address = name
    if "address" in data:
        address = _text(src, data["address"], (*path, "address"))
        if not _NAME.fullmatch(address):
            raise src.error((*path, "address"), f"address {address!r} contains whitespace")
    network = _network(src, address, (*path, "address"))
    groups = _str_list(src, data.get("groups"), (*path, "groups"))
    return _Host(name, address, network, groups, _layer(src, data, path), src, path)


def _network(src: Source, address: str, path: KeyPath) -> IPNetwork | None:
    if "/" not in address:
        return None
    try:
        return ipaddress.ip_network(address)
    except ValueError as exc:
        raise src.error(path, f"not a valid CIDR range: {exc}") from None


def _layer(src: Source, data: Mapping[str, Any], path: KeyPath) -> _Layer:
    scalars = {k: check(src, data[k], (*path, k)) for k, check in _SCALARS.items() if k in data}
    return _Layer(scalars=scalars,
                  tags=_str_list(src, data.get("tags"), (*path, "tags")),
                  credentials=_credentials(src, data.get("credentials"), (*path, "credentials")),
                  vars=_vars(src, data.get("vars"), (*path, "vars")),
                  snmp=read_snmp_block(src, data.get("snmp"), (*path, "snmp")))


def _credentials(src: Source, value: object, path: KeyPath) -> dict[str, object]:
    data = _mapping(src, value, path)
    _check_keys(src, data, frozenset(_CREDENTIALS), path)
    # null clears an inherited credential, e.g. a key-only host under a password default
    return {k: None if v is None else _CREDENTIALS[k](src, v, (*path, k))
            for k, v in data.items()}


def _vars(src: Source, value: object, path: KeyPath) -> dict[str, Any]:
    data = _mapping(src, value, path)
    _check_json(src, data, path)
    return data


def _check_json(src: Source, value: object, path: KeyPath) -> None:
    """Targets must serialize to JSON (DESIGN §2): no dates, binaries or sets in vars."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_json(src, item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(src, item, (*path, index))
    elif not (value is None or isinstance(value, str | int | float)):
        raise src.error(path, f"unsupported value of type {type(value).__name__}; "
                              "quote it to make it a string")


def _check_keys(src: Source, data: Mapping[str, Any], allowed: frozenset[str],
                path: KeyPath) -> None:
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise src.error((*path, key), f"unknown key '{key}'{hint}; allowed: "
                                          f"{', '.join(sorted(allowed))}")


def _mapping(src: Source, value: object, path: KeyPath) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise src.error(path, f"expected a mapping, got {describe(value)}")
    return value


def _str_list(src: Source, value: object, path: KeyPath) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise src.error(path, f"expected a list of strings, got {describe(value)}")
    items = (_text(src, item, (*path, index)) for index, item in enumerate(value))
    return tuple(dict.fromkeys(items))


def _text(src: Source, value: object, path: KeyPath) -> str:
    if isinstance(value, str) and value.strip():
        return value
    raise src.error(path, f"expected a non-empty string, got {_show(value)}")


def _label(src: Source, value: object, path: KeyPath) -> str | None:
    return None if value is None else _text(src, value, path)


def _platform(src: Source, value: object, path: KeyPath) -> str:
    if isinstance(value, str) and _IDENT.fullmatch(value):
        return value
    raise src.error(path, "expected a platform name of letters, digits and '_' "
                          f"(e.g. linux, cisco_ios), got {_show(value)}")


def _transport(src: Source, value: object, path: KeyPath) -> str:
    if isinstance(value, str) and value in TRANSPORTS:
        return value
    raise src.error(path, f"expected a transport ({', '.join(sorted(TRANSPORTS))}), "
                          f"got {_show(value)}")


def _port(src: Source, value: object, path: KeyPath) -> int | None:
    if value is None or (type(value) is int and 1 <= value <= 65535):  # bool is not a port
        return value
    raise src.error(path, f"expected an integer 1-65535, got {_show(value)}")


def _key_file(src: Source, value: object, path: KeyPath) -> str:
    expanded = os.path.expanduser(_text(src, value, path))
    if not os.path.isabs(expanded):
        # relative to what? the cwd of a cron job is rarely what the author meant
        raise src.error(path, f"expected an absolute path or ~/path, got {_show(value)}")
    return expanded


def _secret(src: Source, value: object, path: KeyPath) -> object:
    # Never echo the value: it may be the literal secret we are about to reject.
    if not isinstance(value, str):
        raise src.error(path, "expected an env:NAME or file:/path reference, "
                              f"got {describe(value)}")
    try:
        return parse_secret_ref(value, dotted(path))
    except InventoryError as exc:
        raise src.error(path, exc.problem) from None


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_SCALARS: Mapping[str, _Check] = {"platform": _platform, "transport": _transport,
                                  "port": _port, "site": _label, "role": _label}
_CREDENTIALS: Mapping[str, _Check] = {"username": _text, "password": _secret,
                                      "key_file": _key_file, "key_passphrase": _secret}


# --- merging files, resolving groups, building targets ------------------------------------

def load_inventory(paths: Sequence[str | Path], *, max_cidr_targets: int = 4096) -> Inventory:
    """Load, validate and flatten inventory files; raise InventoryError on any problem."""
    if isinstance(paths, str | Path):
        raise TypeError("load_inventory() takes a list of paths, not a single path")
    if max_cidr_targets < 0:
        raise ValueError("max_cidr_targets must be >= 0")
    if not paths:
        raise InventoryError("no inventory files given")
    _check_distinct(paths)
    defaults, groups, hosts = _merge([_parse_file(read_yaml(p)) for p in paths])
    _check_group_refs(groups, hosts)
    targets = _build_targets(defaults, groups, hosts, max_cidr_targets)
    return Inventory(targets=tuple(targets), sources=tuple(str(p) for p in paths))


def _check_distinct(paths: Sequence[str | Path]) -> None:
    # The same file twice would only surface later as confusing duplicate-host errors.
    seen: dict[Path, str | Path] = {}
    for path in paths:
        real = Path(path).resolve()
        if real in seen:
            raise InventoryError(f"given twice (also as {seen[real]})", file=str(path))
        seen[real] = path


def _merge(files: Sequence[_FileDefs]) -> tuple[_Layer, dict[str, _Group], list[_Host]]:
    groups: dict[str, _Group] = {}
    hosts: dict[str, _Host] = {}
    for f in files:
        for group in f.groups:
            if group.name in groups:
                raise group.src.error(group.path, f"group '{group.name}' is already defined in "
                                      f"{_where(groups[group.name].src, group.path)}")
            groups[group.name] = group
        for host in f.hosts:
            if host.name in hosts:
                raise host.src.error(host.path, f"host '{host.name}' is already defined in "
                                     f"{_where(hosts[host.name].src, host.path)}")
            hosts[host.name] = host
    return _merge_defaults(files), groups, list(hosts.values())


def _merge_defaults(files: Sequence[_FileDefs]) -> _Layer:
    """Defaults may appear in several files only if they are identical."""
    first: _FileDefs | None = None
    for f in files:
        if f.defaults is None:
            continue
        if first is None:
            first = f
        elif f.defaults != first.defaults:
            raise f.src.error(("defaults",), "defaults differ from those in "
                              f"{_where(first.src, ('defaults',))}; define them in one file")
    return first.defaults if first and first.defaults else _Layer()


def _where(src: Source, path: KeyPath) -> str:
    line = src.line_of(path)
    return src.file if line is None else f"{src.file} line {line}"


def _check_group_refs(groups: Mapping[str, _Group], hosts: Sequence[_Host]) -> None:
    known = f" (known groups: {', '.join(sorted(groups)) or 'none'})"
    for group in groups.values():
        for index, parent in enumerate(group.parents):
            if parent not in groups:
                raise group.src.error((*group.path, "parents", index),
                                      f"unknown group '{parent}'{known}")
    for host in hosts:
        for index, name in enumerate(host.groups):
            if name not in groups:
                raise host.src.error((*host.path, "groups", index),
                                     f"unknown group '{name}'{known}")
    _lineage(list(groups), groups)  # every cycle is an error, used or not


def _lineage(names: Sequence[str], groups: Mapping[str, _Group]) -> list[str]:
    """The groups to apply, parents before children, first listed first, each once."""
    order: list[str] = []
    for name in names:
        _visit(name, groups, (), order)
    return order


def _visit(name: str, groups: Mapping[str, _Group], stack: tuple[str, ...],
           order: list[str]) -> None:
    if name in order:
        return
    if name in stack:
        cycle = [*stack[stack.index(name):], name]
        closing = groups[stack[-1]]
        raise closing.src.error((*closing.path, "parents"),
                                f"group cycle: {' -> '.join(cycle)}")
    for parent in groups[name].parents:
        _visit(parent, groups, (*stack, name), order)
    order.append(name)


def _build_targets(defaults: _Layer, groups: Mapping[str, _Group], hosts: Sequence[_Host],
                   max_cidr_targets: int) -> list[Target]:
    targets: list[Target] = []
    origin: dict[str, _Host] = {host.name: host for host in hosts}
    expanded = 0
    for host in hosts:
        lineage = _lineage(host.groups, groups)
        merged = _flatten([defaults, *(groups[g].layer for g in lineage), host.layer])
        snmp = _snmp(host, merged)
        if host.network is None:
            targets.append(_target(host.name, host.address, lineage, merged, snmp))
            continue
        count = _usable_count(host.network)
        expanded += count
        if expanded > max_cidr_targets:
            raise host.src.error((*host.path, "address"), (
                f"CIDR {host.network} of host '{host.name}' expands to {count} targets "
                f"({expanded} from CIDR ranges so far), above max_cidr_targets="
                f"{max_cidr_targets}"))
        for address in _usable_addresses(host.network):
            name = _claim_name(f"{host.name}-{address}", host, origin)
            targets.append(_target(name, address, lineage, merged, snmp))
    return targets


def _claim_name(name: str, host: _Host, origin: dict[str, _Host]) -> str:
    if name in origin:
        other = origin[name]
        raise host.src.error((*host.path, "address"), (
            f"expanding CIDR {host.address} of host '{host.name}' makes target '{name}', "
            f"already used by host '{other.name}' in {_where(other.src, other.path)}"))
    origin[name] = host
    return name


def _flatten(layers: Sequence[_Layer]) -> _Layer:
    scalars: dict[str, object] = {}
    credentials: dict[str, object] = {}
    tags: dict[str, None] = {}  # an ordered set
    merged_vars: dict[str, Any] = {}
    snmp: dict[str, object] = {}
    for layer in layers:
        scalars.update(layer.scalars)
        credentials.update(layer.credentials)
        snmp.update(layer.snmp)
        tags.update(dict.fromkeys(layer.tags))
        merged_vars = _deep_merge(merged_vars, layer.vars)
    return _Layer(scalars, tuple(tags), credentials, merged_vars, snmp)


def _deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _snmp(host: _Host, merged: _Layer) -> SnmpCredentials | None:
    """The merged `snmp:` block, checked across its keys; `transport: snmp` needs one.

    The keys may come from defaults or groups, so the error points at the host."""

    def fail(key: str, problem: str) -> InventoryError:
        return host.src.error((*host.path, "snmp", key), f"host '{host.name}': {problem}")

    snmp = build_snmp(merged.snmp, fail)
    if snmp is None and merged.scalars.get("transport") == "snmp":
        raise host.src.error((*host.path, "snmp"), f"host '{host.name}': transport snmp "
                             "needs an snmp: block (SNMPv3 user and keys, or a community)")
    return snmp


def _target(name: str, address: str, groups: Sequence[str], merged: _Layer,
            snmp: SnmpCredentials | None) -> Target:
    # The validators above guarantee each value's type, hence the casts.
    return Target(name=name, address=address, tags=merged.tags, groups=tuple(groups),
                  snmp=snmp,
                  credentials=Credentials(**cast(dict[str, Any], merged.credentials)),
                  vars=copy.deepcopy(dict(merged.vars)),  # no lists shared between targets
                  **cast(dict[str, Any], merged.scalars))


def _usable_count(net: IPNetwork) -> int:
    """IPv4 drops network and broadcast, IPv6 the subnet-router anycast; not on /31, /127."""
    if net.prefixlen >= net.max_prefixlen - 1:
        return net.num_addresses
    return net.num_addresses - (2 if net.version == 4 else 1)


def _usable_addresses(net: IPNetwork) -> list[str]:
    first = int(net.network_address)
    if net.prefixlen < net.max_prefixlen - 1:
        first += 1
    make = type(net.network_address)  # ip_address(int) would turn ::1 into 0.0.0.1
    return [str(make(first + i)) for i in range(_usable_count(net))]
