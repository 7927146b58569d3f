"""The shipped rule packs (audit/packs/*.yaml): they load, alone and together, every rule
keeps the pack contract, and every rule has at least one compliant and one drifting
document, so a new rule without its two cases fails here.

Where the documents come from:
- Linux: built from the recorded and hand-written discovery cases under
  tests/fixtures/linux/<collector>/<case>/expected.json (see their README), converted to
  the document shape of audit/document.py by `host`. Real values decide where they can
  (Debian's default sshd_config has no PermitRootLogin and says X11Forwarding yes; the
  rhel9 case forwards IPv4 and has a drop-in re-enabling X11 forwarding); otherwise one
  setting is changed in memory, named in the case.
- Cisco IOS and Huawei VRP: ../shared/fixtures holds no complete running configuration of
  either (only IOS `show running-config` partitions: interfaces, access lists, route maps),
  so the baseline configurations below are written by hand from the documented syntax,
  compliant with every rule, and each drifting case edits lines of it in memory. The real
  recorded IOS partitions are appended to the baseline in a separate test: the rules must
  give the same verdicts with real configuration text around them.
- ATM: the document the ATM plugin will produce (defined in atm-pci.yaml), by hand.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import audit
from audit.configtext import PREAMBLE, split_config
from audit.model import Verdict
from audit.rules import Rule, RulePack, evaluate, load_pack, load_packs
from cmdb.schema import NODE_TYPES

C, D, NA = Verdict.COMPLIANT, Verdict.DRIFT, Verdict.NOT_APPLICABLE
Doc = dict[str, Any]
Edit = Callable[[Doc], None]

REPO = Path(__file__).resolve().parents[2]
PACKS = Path(audit.__file__).parent / "packs"
LINUX_FIXTURES = REPO / "tests" / "fixtures" / "linux"
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # the audit's time, for `age` rules

SHIPPED = ("atm-pci", "cisco-ios-hardening", "huawei-vrp-hardening", "linux-hardening")
STANDARDS = {  # the standards the shipped packs cite, spelled one way
    "CIS Debian Linux 12 Benchmark v1.0.1", "CIS Cisco IOS 15 Benchmark v4.1.1",
    "PCI DSS v4.0", "ISO/IEC 20000-1:2018", "NIST SP 800-53 Rev. 5",
}
UNWAIVABLE = {"ATM-USB-001", "ATM-ADM-001"}


def pack_files() -> list[Path]:
    return sorted(PACKS.glob("*.yaml"))


@functools.cache
def all_packs() -> tuple[RulePack, ...]:
    return load_packs(pack_files())


def rules() -> dict[str, Rule]:
    return {rule.id: rule for pack in all_packs() for rule in pack.rules}


# ---- Linux documents from the discovery fixtures -------------------------------------------

SECTIONS = {"Interface": "interfaces", "Package": "packages", "Service": "services",
            "ListeningPort": "listening_ports", "ConfigFile": "config_files"}


def _add_node(doc: Doc, label: str, props: dict[str, Any]) -> None:
    """One discovered node into the device document, as audit/document.py places it."""
    if label == "Device":
        doc.update(props)
    elif label == "OperatingSystem":
        doc["os"] = props
    elif label == "IpAddress":
        doc["interfaces"][props["interface"]].setdefault("ips", []).append(props["address"])
    elif label == "ListeningPort":
        key = f"{props['protocol']} {props['address']}:{props['port']}"
        doc.setdefault("listening_ports", {})[key] = props
    else:
        key = " ".join(str(props.get(name)) for name in NODE_TYPES[label].SPEC.key)
        doc.setdefault(SECTIONS[label], {})[key] = props


@functools.cache
def _recorded_host(case: str, configs: str) -> str:
    doc: Doc = {"uid": f"d-{case}", "label": "Device", "status": "present", "last_run": 1,
                "site": "dc1", "tags": []}
    for collector in ("system", "interfaces", "packages", "services", "ports", "configs"):
        folder = LINUX_FIXTURES / collector / (configs if collector == "configs" else case)
        for node in json.loads((folder / "expected.json").read_text())["nodes"]:
            _add_node(doc, node["label"], copy.deepcopy(node["properties"]))
    return json.dumps(doc)


def host(case: str, *edits: Edit, configs: str | None = None,
         role: str = "server") -> Callable[[], Doc]:
    """The document of a recorded Linux case (role from the inventory), then `edits`."""
    def build() -> Doc:
        doc: Doc = json.loads(_recorded_host(case, configs or case))
        doc["role"] = role
        for edit in edits:
            edit(doc)
        return doc
    return build


def sshd(path: str = "/etc/ssh/sshd_config", **settings: str | None) -> Edit:
    """Set (None: remove) sshd settings of one file."""
    def edit(doc: Doc) -> None:
        found = doc["config_files"][path]["settings"]
        for key, value in settings.items():
            if value is None:
                del found[key]
            else:
                found[key] = value
    return edit


def install(name: str) -> Edit:
    def edit(doc: Doc) -> None:
        manager = "rpm" if doc["os"]["distro_id"] == "rhel" else "dpkg"
        doc["packages"][f"{name} amd64"] = {"name": name, "version": "1.0-1", "arch": "amd64",
                                           "manager": manager}
    return edit


def set_at(path: tuple[str, ...], value: Any) -> Edit:
    """Set a value deep in the document (None: remove it)."""
    def edit(doc: Doc) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        if value is None:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return edit


CHRONY_POOL_ONLY = {"path": "/etc/chrony/chrony.conf", "format": "chrony", "sha256": "0" * 64,
                    "size": 120, "settings": {"pool.1": "2.debian.pool.ntp.org iburst",
                                              "driftfile": "/var/lib/chrony/chrony.drift"}}
CHRONY_SERVERS = {**CHRONY_POOL_ONLY, "settings": {"server.1": "ntp1.example.com iburst",
                                                   "server.2": "ntp2.example.com iburst"}}


# ---- network documents from configuration text --------------------------------------------

def network_doc(platform: str, text: str) -> Doc:
    lines, sections = split_config(text)
    family, version = {"cisco_ios": ("ios", "15.2(4)M7"),
                       "huawei_vrp": ("vrp", "V200R010C00SPC600")}[platform]
    return {"uid": f"d-{platform}", "label": "Device", "hostname": "core1", "role": "network",
            "platform": platform, "site": "dc1", "tags": [],
            "os": {"family": family, "version": version},
            "config_lines": lines, "config_sections": sections}


def edited(text: str, *edits: tuple[str, str]) -> str:
    for old, new in edits:
        assert text.count(old) == 1, f"edit target not unique in the baseline: {old!r}"
        text = text.replace(old, new)
    return text


SECRET = "<redacted:hmac-sha256:3f2a9c0b1d4e>"  # how discovery stores a redacted secret

# Written by hand (documentation addresses), compliant with every cisco-ios-hardening rule.
IOS_BASELINE = f"""\
Building configuration...

Current configuration : 1843 bytes
!
! Last configuration change at 09:12:41 UTC Tue Nov 24 2026 by netadmin
!
version 15.2
service timestamps debug datetime msec
service timestamps log datetime msec
service password-encryption
!
hostname RTR-DC1-01
!
boot-start-marker
boot-end-marker
!
logging buffered 64000
enable secret 9 {SECRET}
!
aaa new-model
!
aaa authentication login default group tacacs+ local
aaa authorization exec default group tacacs+ local
aaa accounting commands 15 default start-stop group tacacs+
!
aaa session-id common
!
ip domain name dc1.example.com
ip ssh version 2
!
username netadmin privilege 15 secret 9 {SECRET}
!
interface GigabitEthernet0/0
 description MGMT
 ip address 192.0.2.1 255.255.255.0
 no ip proxy-arp
!
ip access-list standard MGMT
 permit 192.0.2.0 0.0.0.255
!
logging host 192.0.2.50
snmp-server group NMS v3 priv
snmp-server host 192.0.2.51 version 3 priv nmsuser
!
tacacs server TAC1
 address ipv4 192.0.2.60
 key 7 {SECRET}
!
banner login ^C
Authorised access only. All activity is logged.
^C
!
line con 0
 exec-timeout 5 0
line aux 0
 no exec
 transport input none
line vty 0 4
 access-class MGMT in
 exec-timeout 10 0
 transport input ssh
line vty 5 15
 access-class MGMT in
 transport input ssh
!
ntp server 192.0.2.123
ntp server 192.0.2.124
!
end
"""

# Written by hand (documentation addresses), compliant with every huawei-vrp-hardening rule.
VRP_BASELINE = f"""\
!Software Version V200R010C00SPC600
#
sysname SW-DC1-01
#
info-center loghost source Vlanif100
info-center loghost 192.0.2.50
#
undo telnet server enable
#
aaa
 authentication-scheme default
 authorization-scheme default
 accounting-scheme default
 domain default
 domain default_admin
 local-user netadmin password irreversible-cipher {SECRET}
 local-user netadmin privilege level 15
 local-user netadmin service-type ssh
#
interface Vlanif100
 ip address 192.0.2.2 255.255.255.0
#
snmp-agent
snmp-agent sys-info version v3
snmp-agent group v3 NMS privacy
snmp-agent usm-user v3 nmsuser group NMS
#
stelnet server enable
ssh user netadmin authentication-type password
ssh user netadmin service-type stelnet
#
header login information "Authorised access only. All activity is logged."
#
ntp-service unicast-server 192.0.2.123
#
user-interface con 0
 authentication-mode aaa
user-interface vty 0 4
 authentication-mode aaa
 protocol inbound ssh
user-interface vty 16 20
 protocol inbound ssh
#
return
"""


def ios(*edits: tuple[str, str]) -> Callable[[], Doc]:
    return lambda: network_doc("cisco_ios", edited(IOS_BASELINE, *edits))


def vrp(*edits: tuple[str, str]) -> Callable[[], Doc]:
    return lambda: network_doc("huawei_vrp", edited(VRP_BASELINE, *edits))


def ios_plus(line: str) -> Callable[[], Doc]:
    """The IOS baseline with one more top-level line, among the SNMP lines."""
    return ios(("snmp-server group NMS", f"{line}\nsnmp-server group NMS"))


def vrp_plus(line: str) -> Callable[[], Doc]:
    """The VRP baseline with one more top-level line, among the SNMP lines."""
    return vrp(("snmp-agent sys-info", f"{line}\nsnmp-agent sys-info"))


# ---- ATM documents (shape: the header of atm-pci.yaml) -------------------------------------

def atm_baseline(platform: str) -> Doc:
    family, version = {"windows": ("windows", "10.0.17763"), "linux": ("linux", "12")}[platform]
    component = {"vendor": "Diebold Nixdorf", "model": "CMD-V4", "serial": "DN0012345",
                 "firmware": "01.32.00"}
    return {
        "uid": f"d-atm-{platform}", "label": "Device", "hostname": "ATM-0001", "role": "atm",
        "platform": platform, "site": "branch-042", "tags": ["pci"],
        "os": {"family": family, "version": version, "patch_level": "2026-11-11"},
        "packages": {},
        "atm": {
            "application": {"name": "ProTopas", "version": "6.2.1"},
            "xfs_manager": {"name": "Diebold Nixdorf XFS Manager", "version": "3.30"},
            "antivirus": {"product": "Endpoint AV", "definitions_date": "2026-11-25"},
            "hardening": {"usb_mass_storage": "disabled", "autorun": "disabled",
                          "local_admins": ["atmadmin"]},
        },
        "components": {
            "CDM cdm01": {"kind": "CDM", **component, "xfs_service": "CDM30",
                          "xfs_version": "3.30"},
            "IDC idc01": {"kind": "IDC", **component, "model": "ID4M",
                          "xfs_service": "IDC30", "xfs_version": "3.40"},
            "PIN pin01": {"kind": "PIN", **component, "model": "EPP V7",
                          "xfs_service": "PIN30", "xfs_version": "3.30"},
        },
    }


def atm(*edits: Edit, platform: str = "windows") -> Callable[[], Doc]:
    def build() -> Doc:
        doc = atm_baseline(platform)
        for edit in edits:
            edit(doc)
        return doc
    return build


HARDENING = ("atm", "hardening")


# ---- the cases -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    rule: str
    verdict: Verdict
    note: str  # the document, and what was changed in memory, if anything
    doc: Callable[[], Doc]


CASES: list[Case] = [
    # linux-hardening, on the recorded Linux cases
    Case("LNX-SSH-001", C, "rhel9 (PermitRootLogin no)", host("rhel9")),
    Case("LNX-SSH-001", D, "debian12 default sshd_config: not set, sshd allows keys",
         host("debian12")),
    Case("LNX-SSH-001", D, "minimal (PermitRootLogin yes)", host("minimal")),
    Case("LNX-SSH-001", D, "rhel9 with a drop-in saying prohibit-password",
         host("rhel9", sshd("/etc/ssh/sshd_config.d/50-redhat.conf",
                            permitrootlogin="prohibit-password"),
              configs="rhel9_config_files")),
    Case("LNX-SSH-002", C, "rhel9 (PasswordAuthentication no)", host("rhel9")),
    Case("LNX-SSH-002", D, "debian12: not set, sshd allows passwords", host("debian12")),
    Case("LNX-SSH-003", C, "minimal (Protocol 2)", host("minimal")),
    Case("LNX-SSH-003", C, "rhel9: not set", host("rhel9")),
    Case("LNX-SSH-003", D, "minimal with Protocol 2,1", host("minimal", sshd(protocol="2,1"))),
    Case("LNX-SSH-004", C, "rhel9: not set", host("rhel9")),
    Case("LNX-SSH-004", C, "rhel9 with modern ciphers", host("rhel9", sshd(
        ciphers="chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes256-ctr"))),
    Case("LNX-SSH-004", C, "rhel9 removing CBC from the default list",
         host("rhel9", sshd(ciphers="-*-cbc"))),
    Case("LNX-SSH-004", D, "rhel9 with aes256-cbc",
         host("rhel9", sshd(ciphers="aes128-ctr,aes256-cbc"))),
    Case("LNX-SSH-004", D, "rhel9 with 3des-cbc", host("rhel9", sshd(ciphers="3DES-CBC"))),
    Case("LNX-SSH-004", D, "rhel9 with arcfour", host("rhel9", sshd(ciphers="arcfour256"))),
    Case("LNX-SSH-005", C, "rhel9 (X11Forwarding no)", host("rhel9")),
    Case("LNX-SSH-005", D, "debian12 (X11Forwarding yes)", host("debian12")),
    Case("LNX-SSH-005", D, "rhel9_config_files: drop-in 50-redhat.conf says yes",
         host("rhel9", configs="rhel9_config_files")),
    Case("LNX-SSH-006", C, "rhel9 (MaxAuthTries 4)", host("rhel9")),
    Case("LNX-SSH-006", D, "debian12: not set, sshd allows 6", host("debian12")),
    Case("LNX-SSH-006", D, "rhel9 with MaxAuthTries 6", host("rhel9", sshd(maxauthtries="6"))),
    Case("LNX-NTP-001", C, "rhel9 (chrony: server ntp1, ntp2)", host("rhel9")),
    Case("LNX-NTP-001", C, "minimal (ntpd: 4 servers)", host("minimal")),
    Case("LNX-NTP-001", C, "debian12 with chrony servers", host("debian12", set_at(
        ("config_files", "/etc/chrony/chrony.conf"), CHRONY_SERVERS))),
    Case("LNX-NTP-001", D, "debian12: no chrony or ntp configuration", host("debian12")),
    Case("LNX-NTP-001", D, "debian12 with a public pool only", host("debian12", set_at(
        ("config_files", "/etc/chrony/chrony.conf"), CHRONY_POOL_ONLY))),
    Case("LNX-AUD-001", C, "debian12 with auditd", host("debian12", install("auditd"))),
    Case("LNX-AUD-001", C, "rhel9 with audit", host("rhel9", install("audit"))),
    Case("LNX-AUD-001", D, "debian12: libaudit1 only", host("debian12")),
    Case("LNX-AUD-002", C, "rhel9 (auditd.service active)", host("rhel9")),
    Case("LNX-AUD-002", D, "debian12: no auditd.service", host("debian12")),
    Case("LNX-AUD-002", D, "rhel9 with auditd.service failed",
         host("rhel9", set_at(("services", "auditd.service", "active_state"), "failed"))),
    Case("LNX-SVC-001", C, "debian12", host("debian12")),
    Case("LNX-SVC-001", D, "debian12 with telnetd", host("debian12", install("telnetd"))),
    Case("LNX-SVC-001", D, "rhel9 with telnet-server", host("rhel9", install("telnet-server"))),
    Case("LNX-SVC-002", C, "rhel9 (rsh.service unit masked, no rsh-server)", host("rhel9")),
    Case("LNX-SVC-002", D, "rhel9 with rsh-server", host("rhel9", install("rsh-server"))),
    Case("LNX-NET-001", C, "debian12 (ip_forward 0)", host("debian12")),
    Case("LNX-NET-001", D, "rhel9 (ip_forward 1)", host("rhel9")),
    Case("LNX-NET-001", NA, "rhel9 as a desktop", host("rhel9", role="desktop")),
    Case("LNX-PATCH-001", C, "debian12 with unattended-upgrades",
         host("debian12", install("unattended-upgrades"))),
    Case("LNX-PATCH-001", D, "debian12", host("debian12")),
    Case("LNX-PATCH-001", NA, "rhel9", host("rhel9")),
    # cisco-ios-hardening, on the baseline and edits of it
    Case("IOS-VTY-001", C, "baseline", ios()),
    Case("IOS-VTY-001", D, "vty 5 15 allows telnet", ios(
        ("line vty 5 15\n access-class MGMT in\n transport input ssh",
         "line vty 5 15\n access-class MGMT in\n transport input telnet ssh"))),
    Case("IOS-VTY-001", D, "aux allows all",
         ios((" no exec\n transport input none", " no exec\n transport input all"))),
    Case("IOS-VTY-002", C, "baseline", ios()),
    Case("IOS-VTY-002", D, "vty 0 4 without transport input", ios(
        (" exec-timeout 10 0\n transport input ssh\n", " exec-timeout 10 0\n"))),
    Case("IOS-SSH-001", C, "baseline", ios()),
    Case("IOS-SSH-001", D, "no ip ssh version 2", ios(("ip ssh version 2\n", ""))),
    Case("IOS-SNMP-001", C, "baseline", ios()),
    Case("IOS-SNMP-001", C, "a redacted community",
         ios_plus(f"snmp-server community {SECRET} RO MGMT")),
    Case("IOS-SNMP-001", D, "community public", ios_plus("snmp-server community public RO")),
    Case("IOS-SNMP-001", D, "community PRIVATE RW",
         ios_plus("snmp-server community PRIVATE RW MGMT")),
    Case("IOS-SNMP-002", C, "baseline", ios()),
    Case("IOS-SNMP-002", D, "a redacted community",
         ios_plus(f"snmp-server community {SECRET} RO MGMT")),
    Case("IOS-AAA-001", C, "baseline", ios()),
    Case("IOS-AAA-001", D, "no aaa new-model", ios(("aaa new-model\n", ""))),
    Case("IOS-NTP-001", C, "baseline", ios()),
    Case("IOS-NTP-001", D, "no ntp server",
         ios(("ntp server 192.0.2.123\nntp server 192.0.2.124\n", ""))),
    Case("IOS-LOG-001", C, "baseline", ios()),
    Case("IOS-LOG-001", C, "old form logging ADDR",
         ios(("logging host 192.0.2.50", "logging 192.0.2.50"))),
    Case("IOS-LOG-001", D, "buffered logging only", ios(("logging host 192.0.2.50\n", ""))),
    Case("IOS-BANNER-001", C, "baseline", ios()),
    Case("IOS-BANNER-001", C, "motd banner", ios(("banner login ^C", "banner motd ^C"))),
    Case("IOS-BANNER-001", D, "no banner", ios(
        ("banner login ^C\nAuthorised access only. All activity is logged.\n^C\n", ""))),
    Case("IOS-PWD-001", C, "baseline", ios()),
    Case("IOS-PWD-001", D, "no service password-encryption",
         ios(("service password-encryption\n", ""))),
    # huawei-vrp-hardening, on the baseline and edits of it
    Case("VRP-TELNET-001", C, "baseline (undo telnet server enable)", vrp()),
    Case("VRP-TELNET-001", C, "default: no telnet line",
         vrp(("undo telnet server enable\n", ""))),
    Case("VRP-TELNET-001", D, "telnet server enable",
         vrp(("undo telnet server enable", "telnet server enable"))),
    Case("VRP-SSH-001", C, "baseline", vrp()),
    Case("VRP-SSH-001", C, "stelnet ipv4 server enable",
         vrp(("stelnet server enable", "stelnet ipv4 server enable"))),
    Case("VRP-SSH-001", D, "no stelnet server", vrp(("stelnet server enable\n", ""))),
    Case("VRP-VTY-001", C, "baseline", vrp()),
    Case("VRP-VTY-001", D, "vty 0 4 protocol inbound all", vrp(
        (" authentication-mode aaa\n protocol inbound ssh",
         " authentication-mode aaa\n protocol inbound all"))),
    Case("VRP-VTY-001", D, "vty 16 20 protocol inbound telnet", vrp(
        ("user-interface vty 16 20\n protocol inbound ssh",
         "user-interface vty 16 20\n protocol inbound telnet"))),
    Case("VRP-AAA-001", C, "baseline", vrp()),
    Case("VRP-AAA-001", D, "vty 0 4 password authentication", vrp(
        ("user-interface vty 0 4\n authentication-mode aaa",
         "user-interface vty 0 4\n authentication-mode password"))),
    Case("VRP-SNMP-001", C, "baseline", vrp()),
    Case("VRP-SNMP-001", C, "a cipher community",
         vrp_plus(f"snmp-agent community read cipher {SECRET}")),
    Case("VRP-SNMP-001", D, "community read public",
         vrp_plus("snmp-agent community read public")),
    Case("VRP-SNMP-002", C, "baseline", vrp()),
    Case("VRP-SNMP-002", D, "a cipher community",
         vrp_plus(f"snmp-agent community read cipher {SECRET}")),
    Case("VRP-NTP-001", C, "baseline", vrp()),
    Case("VRP-NTP-001", D, "no ntp-service", vrp(("ntp-service unicast-server 192.0.2.123\n", ""))),
    Case("VRP-LOG-001", C, "baseline", vrp()),
    Case("VRP-LOG-001", D, "loghost source only", vrp(("info-center loghost 192.0.2.50\n", ""))),
    Case("VRP-BANNER-001", C, "baseline", vrp()),
    Case("VRP-BANNER-001", D, "no header", vrp(
        ('header login information "Authorised access only. All activity is logged."\n', ""))),
    # atm-pci, on the ATM baseline (evaluated at NOW = 2026-11-27T12:00Z)
    Case("ATM-APP-001", C, "6.2.1", atm()),
    Case("ATM-APP-001", C, "6.10.0", atm(set_at(("atm", "application", "version"), "6.10.0"))),
    Case("ATM-APP-001", D, "6.1.9", atm(set_at(("atm", "application", "version"), "6.1.9"))),
    Case("ATM-XFS-001", C, "3.30", atm()),
    Case("ATM-XFS-001", D, "3.20", atm(set_at(("atm", "xfs_manager", "version"), "3.20"))),
    Case("ATM-XFS-002", C, "3.30 and 3.40", atm()),
    Case("ATM-XFS-002", D, "PIN pad at 3.10",
         atm(set_at(("components", "PIN pin01", "xfs_version"), "3.10"))),
    Case("ATM-AV-001", C, "2 days old", atm()),
    Case("ATM-AV-001", C, "7 days old", atm(
        set_at(("atm", "antivirus", "definitions_date"), "2026-11-20"))),
    Case("ATM-AV-001", D, "8 days old", atm(
        set_at(("atm", "antivirus", "definitions_date"), "2026-11-19"))),
    Case("ATM-OS-001", C, "November updates", atm()),
    Case("ATM-OS-001", D, "August updates", atm(set_at(("os", "patch_level"), "2026-08-11"))),
    Case("ATM-USB-001", C, "disabled", atm()),
    Case("ATM-USB-001", D, "enabled", atm(set_at((*HARDENING, "usb_mass_storage"), "enabled"))),
    Case("ATM-USB-001", C, "Linux ATM, disabled", atm(platform="linux")),
    Case("ATM-AUTORUN-001", C, "disabled", atm()),
    Case("ATM-AUTORUN-001", D, "enabled", atm(set_at((*HARDENING, "autorun"), "enabled"))),
    Case("ATM-AUTORUN-001", NA, "Linux ATM", atm(platform="linux")),
    Case("ATM-ADM-001", C, "atmadmin only", atm()),
    Case("ATM-ADM-001", D, "an unknown admin", atm(
        set_at((*HARDENING, "local_admins"), ["atmadmin", "svc_helpdesk"]))),
]


def _case_id(case: Case) -> str:
    return f"{case.rule}:{case.verdict}:{case.note}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_rule_case(case: Case) -> None:
    result = evaluate(rules()[case.rule], case.doc(), now=NOW)
    json.dumps([result.expected, result.actual])
    assert result.verdict is case.verdict, result.message


def test_every_rule_has_a_compliant_and_a_drifting_case() -> None:
    covered = {(case.rule, case.verdict) for case in CASES}
    missing = sorted(f"{rule_id} ({verdict})" for rule_id in rules()
                     for verdict in (C, D) if (rule_id, verdict) not in covered)
    assert not missing, "rules without a test case: " + ", ".join(missing)
    assert {case.rule for case in CASES} <= set(rules()), "cases for rules that do not exist"


# ---- loading and the pack contract ---------------------------------------------------------

def test_the_four_packs_are_shipped_and_load_together() -> None:
    assert [path.stem for path in pack_files()] == list(SHIPPED)
    assert [pack.name for pack in all_packs()] == list(SHIPPED)  # file name = pack name
    assert len(rules()) == sum(len(pack.rules) for pack in all_packs())  # ids unique


@pytest.mark.parametrize("path", pack_files(), ids=lambda p: p.stem)
def test_each_pack_loads_alone(path: Path) -> None:
    pack = load_pack(path)
    assert pack.rules
    assert re.fullmatch(r"\d+\.\d+\.\d+", pack.version)
    assert pack.description


@pytest.mark.parametrize("rule_id", sorted(rules()))
def test_rule_contract(rule_id: str) -> None:
    rule = rules()[rule_id]
    assert rule.rationale, "every rule says why"
    sentences = re.findall(r"[.!?](?:\s|$)", rule.rationale)
    assert 1 <= len(sentences) <= 2, f"rationale: one or two sentences, got {rule.rationale!r}"
    assert rule.references, "every rule cites at least one control"
    assert {ref.standard for ref in rule.references} <= STANDARDS
    assert rule.applies_to.to_dict(), "a shipped rule is scoped by platform or role"
    assert rule.unwaivable is (rule_id in UNWAIVABLE)


# ---- which packs apply to which devices ----------------------------------------------------

@pytest.mark.parametrize(("doc", "pack"), [
    (host("debian12"), "linux-hardening"), (host("rhel9"), "linux-hardening"),
    (ios(), "cisco-ios-hardening"), (vrp(), "huawei-vrp-hardening"), (atm(), "atm-pci"),
], ids=["debian12", "rhel9", "ios", "vrp", "atm-windows"])
def test_a_device_gets_only_its_packs_rules(doc: Callable[[], Doc], pack: str) -> None:
    document = doc()
    selected = {p.name for p in all_packs() for rule in p.rules
                if rule.applies_to.matches(document)}
    assert selected == {pack}


def test_a_linux_atm_gets_linux_hardening_too() -> None:
    document = atm(platform="linux")()
    selected = {p.name for p in all_packs() for rule in p.rules
                if rule.applies_to.matches(document)}
    assert selected == {"atm-pci", "linux-hardening"}


# ---- the real recorded IOS configuration partitions ----------------------------------------

def shared_fixture(*parts: str) -> Path:
    """A folder of ../shared/fixtures: skipped when absent, but never in CI."""
    path = SHARED_FIXTURES.joinpath(*parts)
    if not path.is_dir():
        message = f"{path} not present (../shared/fixtures: recorded device outputs)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must provide it")
        pytest.skip(message)
    return path


IOS_PARTITIONS = ("show_running-config_interface", "show_running-config_partition_access-list",
                  "show_running-config_partition_route-map")


@pytest.mark.parametrize("command", IOS_PARTITIONS)
def test_ios_rules_hold_on_real_configuration_text(command: str) -> None:
    """Each recorded partition (with its preamble, "!" lines, trailing blanks, and ACLs that
    mention telnet) appended to the baseline: every IOS rule keeps its baseline verdict,
    and the partition's top-level lines become sections."""
    raws = sorted(shared_fixture("cli", "cisco_ios", command).glob("*.raw"))
    assert raws
    ios_rules = [r for p in all_packs() if p.name == "cisco-ios-hardening" for r in p.rules]
    for raw in raws:
        real = raw.read_text(encoding="utf-8")
        doc = network_doc("cisco_ios", IOS_BASELINE + real)
        for rule in ios_rules:
            result = evaluate(rule, doc, now=NOW)
            assert result.verdict is C, f"{raw.name}: {rule.id}: {result.message}"
        tops = [line.rstrip() for line in real.splitlines()
                if line[:1].isalpha() and not PREAMBLE.fullmatch(line.rstrip())]
        assert tops and set(tops) <= set(doc["config_sections"]), raw.name


def test_a_real_partition_can_drift() -> None:
    """The recorded interface partition with a telnet VTY after it: the rule still finds
    the line among real sections."""
    folder = shared_fixture("cli", "cisco_ios", "show_running-config_interface")
    real = (folder / "cisco_ios_show_running-config_interface.raw").read_text(encoding="utf-8")
    text = edited(IOS_BASELINE, ("end\n", "")) + real + "line vty 16 20\n transport input all\n"
    result = evaluate(rules()["IOS-VTY-001"], network_doc("cisco_ios", text), now=NOW)
    assert result.verdict is D
    assert result.actual == [{"at": ["line vty 16 20", 0], "value": " transport input all"}]


def test_split_config() -> None:
    lines, sections = split_config("Building configuration...\r\n\r\n"
                                   "Current configuration : 10 bytes\r\n!\r\nhostname r1 \r\n"
                                   "line vty 0 4\r\n transport input ssh\r\n !\r\n"
                                   "line vty 5 15\r\n#\r\nend\r\n")
    assert lines == ["hostname r1", "line vty 0 4", " transport input ssh", "line vty 5 15",
                     "end"]
    assert sections == {"hostname r1": [], "line vty 0 4": [" transport input ssh"],
                        "line vty 5 15": [], "end": []}
