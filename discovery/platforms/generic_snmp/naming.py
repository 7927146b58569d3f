"""Interface names: every generic SNMP collector names a port the way the device's CLI
platform names it, so a device discovered over both SNMP and its CLI gets one Interface
node per port (Interface is keyed by name under its Device).

Decisions (from the LibreNMS recordings in ../shared/fixtures/snmprec):
- cisco_ios: ifDescr, the long name `show interfaces` prints (`GigabitEthernet1/0/1`).
  ifName holds IOS' short form (`Gi1/0/1`), and not every short form can be expanded
  back (`Nu0` is Null0, `Vo0` is VoIP-Null0).
- cisco_nxos, arista_eos, juniper_junos, huawei_vrp, hp_comware: ifName; on every
  recording it equals ifDescr and the name the CLI's interface listing prints.
- The CLI platform's own abbreviation table then expands a short form an agent may send
  (NX-OS `Eth1/1`, Comware `GE1/0/1`); a long name is left as it is. VRP names are not
  expanded: `display interface` prints CloudEngine's native `GE1/0/1` and the VRP CLI
  keeps it as printed. Junos names have no abbreviations.
- Hosts, printers, UPSes and gear without a CLI platform keep ifName, else ifDescr.
- The rule needs the classification, so sysDescr and sysObjectID are asked beside the
  names (`sys_ids`). Without that answer the names are not known, rather than guessed
  in a form that could create a second node per port.
- Names are keys: a name several indexes share gets ` #<index>` on each of them; a row
  with neither column is `ifIndex <n>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from discovery.platforms.arista_eos.profile import ALIASES as EOS_ALIASES
from discovery.platforms.base import Command
from discovery.platforms.cisco_ios.profile import ALIASES as IOS_ALIASES
from discovery.platforms.cisco_nxos.profile import ALIASES as NXOS_ALIASES
from discovery.platforms.generic_snmp import oids
from discovery.platforms.generic_snmp._common import (
    Answers,
    get_command,
    rows,
    text,
    unique_names,
)
from discovery.platforms.generic_snmp.classify import classify
from discovery.platforms.hp_comware.names import ABBREVIATIONS as COMWARE_ALIASES
from discovery.platforms.netcli import canonical_interface

Column = tuple[oids.Table, str]
IF_NAME: Column = (oids.IF_X_TABLE, "name")
IF_DESCR: Column = (oids.IF_TABLE, "descr")
SYS_IDS = "sys_ids"


@dataclass(frozen=True)
class NameRule:
    """Where a platform's interface name is: the columns in order of preference, and the
    CLI platform's abbreviations (short form -> long form) to expand what they hold."""

    columns: tuple[Column, Column]
    aliases: Mapping[str, str] = field(default_factory=dict)

    def canonical(self, name: str) -> str:
        return canonical_interface(name, self.aliases) if self.aliases else name


HOSTS = NameRule((IF_NAME, IF_DESCR))
RULES: Mapping[str, NameRule] = MappingProxyType({
    "cisco_ios": NameRule((IF_DESCR, IF_NAME), IOS_ALIASES),
    "cisco_nxos": NameRule((IF_NAME, IF_DESCR), NXOS_ALIASES),
    "arista_eos": NameRule((IF_NAME, IF_DESCR), EOS_ALIASES),
    "hp_comware": NameRule((IF_NAME, IF_DESCR), COMWARE_ALIASES),
    "huawei_vrp": NameRule((IF_NAME, IF_DESCR)),
    "juniper_junos": NameRule((IF_NAME, IF_DESCR)),
})


def sys_ids_command(*, required: bool = False) -> Command:
    """The GET of sysDescr and sysObjectID that picks the naming rule."""
    return get_command(SYS_IDS, oids.SYS_DESCR, oids.SYS_OBJECT_ID, required=required)


def name_rule(answers: Answers) -> NameRule | None:
    """The rule of the device's CLI platform (HOSTS when it has none); None when the
    `sys_ids` command did not answer."""
    if not answers.has(SYS_IDS):
        return None
    object_id = answers.walk.get(oids.SYS_OBJECT_ID)
    found = classify(object_id if isinstance(object_id, str) else None,
                     text(answers.walk.get(oids.SYS_DESCR)))
    return RULES.get(found.platform or "", HOSTS)


def interface_names(answers: Answers) -> dict[int, str]:
    """ifIndex -> the interface name every collector uses; empty when the naming rule is
    not known. Needs the ifDescr and ifName columns and `sys_ids` in `answers`."""
    rule = name_rule(answers)
    if rule is None:
        return {}
    tables = {table.name: rows(answers.walk, table) for table, _ in rule.columns}
    indexes = sorted({index for found in tables.values() for index in found
                      if len(index) == 1})
    names: dict[int, str] = {}
    for index in indexes:
        values = (text(tables[table.name].get(index, {}).get(column))
                  for table, column in rule.columns)
        name = next((value for value in values if value is not None), None)
        names[index[0]] = rule.canonical(name) if name is not None else f"ifIndex {index[0]}"
    return unique_names(names)

