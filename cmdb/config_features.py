"""Conventions of network configuration text shared by config diffs (cmdb) and
intended-config audits (audit): which hier_config driver reads each platform, and which
feature a single top-level line is about, so that lines such as `ntp server 192.0.2.1`
and `ntp authenticate` are compared, counted and reported together (`ntp`)."""

from __future__ import annotations

from collections.abc import Mapping

from hier_config import Platform

# Our platform names (discovery.platforms) to hier_config's drivers.
HIER_PLATFORMS: Mapping[str, Platform] = {
    "cisco_ios": Platform.CISCO_IOS,
    "cisco_nxos": Platform.CISCO_NXOS,
    "arista_eos": Platform.ARISTA_EOS,
    "juniper_junos": Platform.JUNIPER_JUNOS,
    "huawei_vrp": Platform.HUAWEI_VRP,
    "hp_comware": Platform.HP_COMWARE5,
}

# Heads whose feature is named by more words: `ip ssh`, `service timestamps`, Junos
# `set system ntp`.
_TWO_WORD_HEADS = frozenset({"ip", "ipv6", "service", "snmp-agent", "info-center"})
_THREE_WORD_HEADS = frozenset({"set", "delete", "deactivate"})  # Junos set format


def feature_of(line: str) -> str:
    """The feature a single top-level line belongs to: `ntp server x` -> `ntp`."""
    words = line.split()
    if words[:1] == ["no"]:  # `no ip http server` is about what `ip http server` is about
        words = words[1:]
    if not words:
        return line
    count = 3 if words[0] in _THREE_WORD_HEADS else 2 if words[0] in _TWO_WORD_HEADS else 1
    return " ".join(words[:count])
