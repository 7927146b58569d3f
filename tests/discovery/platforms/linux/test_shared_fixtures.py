"""The `ip addr show` fallback parser against real recorded outputs in ../shared/fixtures
(ntc-templates' `ip_address_show` cases), compared value by value with their .yml.

`dmidecode` and the other commands there are not what this platform runs, so they are not
used; `ip link show` prints no addresses and is not our command either."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest
import yaml

from cmdb.schema import Interface, IpAddress
from discovery.platforms.linux import interfaces
from discovery.transports.base import CommandOutput
from tests.discovery.platforms.linux.cases import SHARED_FIXTURES

IP_ADDRESS_SHOW = SHARED_FIXTURES / "cli" / "linux" / "ip_address_show"


def _cases() -> list[Path | None]:
    """The .raw files; one None (a clean skip) when the shared fixtures are absent."""
    if not IP_ADDRESS_SHOW.is_dir():
        return [None]
    return list(sorted(IP_ADDRESS_SHOW.glob("*.raw")))


def _expected_addresses(record: dict[str, Any]) -> set[tuple[str, int]]:
    pairs = zip(record["ip_addresses"] + record["ipv6_addresses"],
                record["ip_masks"] + record["ipv6_masks"], strict=True)
    return {(ipaddress.ip_address(a).compressed, int(m)) for a, m in pairs}


@pytest.mark.parametrize("raw", _cases(), ids=lambda p: p.stem if p else "absent")
def test_ip_address_show(raw: Path | None) -> None:
    if raw is None:
        pytest.skip("../shared/fixtures not present")
    stdout = raw.read_text(encoding="utf-8")
    expected = yaml.safe_load(raw.with_suffix(".yml").read_text(encoding="utf-8"))
    nodes = interfaces.parse({"addr": CommandOutput(interfaces.FALLBACK, stdout)}).nodes
    links = {n.name: n for n in nodes if isinstance(n, Interface)}
    addresses = [n for n in nodes if isinstance(n, IpAddress)]
    records = expected["parsed_sample"]
    assert sorted(links) == sorted(r["interface"] for r in records)
    for record in records:
        link = links[record["interface"]]
        assert link.mac == (record["mac_address"] or None)
        assert link.mtu == int(record["mtu"])
        assert link.kind == record["type"]
        assert link.oper_status == record["state"].lower()
        assert link.master == (record["master"] or None)
        assert link.admin_up == ("UP" in record["flags"].split(","))
        found = {(a.address, a.prefix_length) for a in addresses if a.interface == link.name}
        assert found == _expected_addresses(record)
