"""Edge cases of the `interfaces` parsers (ip -j and the text fallback)."""

from __future__ import annotations

import json

import pytest

from cmdb.schema import Interface, IpAddress, Node
from discovery.errors import ParseError
from discovery.platforms.linux import interfaces
from discovery.transports.base import CommandOutput


def _json(links: list[object]) -> list[Node]:
    output = CommandOutput(interfaces.PRIMARY, json.dumps(links))
    return list(interfaces.parse({"addr": output}).nodes)


def _text(stdout: str) -> list[Node]:
    return list(interfaces.parse({"addr": CommandOutput(interfaces.FALLBACK, stdout)}).nodes)


LO = {"ifindex": 1, "ifname": "lo", "flags": ["LOOPBACK", "UP"], "mtu": 65536,
      "operstate": "UNKNOWN", "link_type": "loopback", "address": "00:00:00:00:00:00",
      "addr_info": [{"family": "inet", "local": "127.0.0.1", "prefixlen": 8, "scope": "host"}]}


def test_json_tolerates_empty_objects_of_old_iproute2() -> None:
    nodes = _json([{}, LO, {"ifindex": 2, "ifname": "eth0", "flags": [],
                            "address": "52:54:00:AB:CD:EF", "addr_info": [{}]}])
    eth0 = nodes[-1]
    assert isinstance(eth0, Interface)
    assert eth0.mac == "52:54:00:ab:cd:ef"
    assert eth0.admin_up is False
    assert (eth0.mtu, eth0.oper_status, eth0.kind) == (None, None, None)


def test_json_tunnel_address_is_no_mac() -> None:
    link = {"ifname": "tunl0", "flags": ["NOARP"], "link_type": "ipip", "address": "0.0.0.0",
            "addr_info": []}
    nodes = _json([LO, link])
    assert isinstance(nodes[-1], Interface) and nodes[-1].mac is None


@pytest.mark.parametrize(("stdout", "message"), [
    ('Option "-j" is unknown, try "ip -help".', "ip -j addr show: output is not JSON"),
    ('{"ifname": "lo"}', "expected a JSON list of links"),
    ("[1, 2]", "expected a JSON object per link"),
    ('[{"flags": []}]', "link without ifname/flags"),
    ("[]", "no interface in output"),
    ('[{"ifname":"lo","flags":[],"addr_info":[{"family":"inet","local":"x","prefixlen":8}]}]',
     "not an IP address"),
])
def test_json_garbage(stdout: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        interfaces.parse({"addr": CommandOutput(interfaces.PRIMARY, stdout)})


def test_text_with_crlf_trailing_spaces_and_blank_lines() -> None:
    stdout = ("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN \r\n"
              "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\r\n"
              "    inet 127.0.0.1/8 scope host lo\r\n\r\n"
              "5: veth1a2b@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue "
              "master docker0 state UP group default \r\n"
              "    link/ether 0A:1B:2C:3D:4E:5F brd ff:ff:ff:ff:ff:ff link-netnsid 0\r\n"
              "    altname enx0a1b2c3d4e5f\r\n"
              "    inet6 fe80::0801:2cff:fe3d:4e5f/64 scope link \r\n"
              "       valid_lft forever preferred_lft forever\r\n")
    nodes = _text(stdout)
    veth = nodes[2]
    assert veth == Interface(name="veth1a2b", mac="0a:1b:2c:3d:4e:5f", kind="ether", mtu=1500,
                             admin_up=True, oper_status="up", master="docker0")
    assert nodes[3] == IpAddress(interface="veth1a2b", address="fe80::801:2cff:fe3d:4e5f",
                                 prefix_length=64, family="ipv6", scope="link")


def test_text_peer_address_and_missing_state() -> None:
    stdout = ("3: ppp0: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1492 qdisc pfifo_fast\n"
              "    link/ppp \n"
              "    inet 198.51.100.7 peer 198.51.100.1/32 scope global ppp0\n"
              "    inet 198.51.100.8 peer 198.51.100.2 scope global ppp0\n")
    iface, first, second = _text(stdout)
    assert isinstance(iface, Interface) and iface.oper_status is None and iface.kind == "ppp"
    assert isinstance(first, IpAddress) and first.prefix_length == 32
    assert isinstance(second, IpAddress) and second.prefix_length == 32


def test_text_bond_slave_reports_its_permanent_mac() -> None:
    stdout = ("2: eno2: <BROADCAST,MULTICAST,SLAVE,UP,LOWER_UP> mtu 1500 qdisc mq master bond0 "
              "state UP\n    link/ether b4:96:91:aa:bb:c0 brd ff:ff:ff:ff:ff:ff permaddr "
              "b4:96:91:aa:bb:c1\n")
    (iface,) = _text(stdout)
    assert isinstance(iface, Interface) and iface.mac == "b4:96:91:aa:bb:c1"


@pytest.mark.parametrize(("stdout", "message"), [
    ("Object \"addr\" is unknown, try \"ip help\".\n", "not a link header"),
    ("    inet 10.0.0.1/8 scope global eth0\n", "indented line before any link header"),
    ("1: lo: <UP> mtu 1\n    inet 10.0.0.1/xx scope host lo\n", "bad prefix length"),
    ("1: lo: <UP> mtu 1\n    inet 10.0.0.999/8 scope host lo\n", "not an IP address"),
    ("\n\n", "no interface in output"),
])
def test_text_garbage(stdout: str, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        _text(stdout)
    assert "ip addr show" in str(caught.value)
