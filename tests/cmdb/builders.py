"""Small builders for facts and runs used by the reconcile and store tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from cmdb.changeset import RunInfo
from cmdb.schema import (
    ConfigFile,
    Device,
    Facts,
    Interface,
    IpAddress,
    Link,
    Node,
    NodeRef,
    Site,
    Source,
    TargetFacts,
)

ALL = frozenset({"Interface", "IpAddress", "ConfigFile"})


def host(target: str = "t1", *, serial: str | None = "SER1", machine_id: str | None = "m1",
         system_uuid: str | None = None, hostname: str = "web01",
         interfaces: Mapping[str, str] | None = None, settings: Mapping[str, str] | None = None,
         source: Source = Source.SSH, complete: frozenset[str] = ALL,
         extra: tuple[Node, ...] = ()) -> TargetFacts:
    nodes: list[Node] = [Device(hostname=hostname, serial=serial, machine_id=machine_id,
                                system_uuid=system_uuid)]
    for name, mac in (interfaces if interfaces is not None else {"eth0": "00:16:3e:00:00:01"}
                      ).items():
        nodes.append(Interface(name=name, mac=mac))
        nodes.append(IpAddress(interface=name, address="10.0.0.1", prefix_length=24))
    if settings is not None:
        text = ";".join(f"{k}={v}" for k, v in sorted(settings.items()))
        nodes.append(ConfigFile(path="/etc/ssh/sshd_config", sha256=f"sha-{text}",
                                settings=dict(settings)))
    return TargetFacts(target, source, Facts(nodes=(*nodes, *extra), complete=complete))


def placed(target: str, site: str) -> TargetFacts:
    return TargetFacts(target, Source.INVENTORY, Facts(
        nodes=(Device(role="server"), Site(name=site)),
        links=(Link("LOCATED_IN", NodeRef("Site", (site,))),),
        complete=frozenset({"LOCATED_IN"})))


def run_info(run: int) -> RunInfo:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return RunInfo(run, "discovery", now, now)
