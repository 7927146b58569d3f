"""The CI classes and relationship types, declared once.

A collector returns instances of these classes carrying only their *local* natural key
(an interface's name, a package's name and arch); reconciliation places them under the
device it identified and derives each node's `uid` from the owner's uid and that key.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated

from cmdb.schema.base import Key, Node, Owner, Prop, node, relationship


class DeviceRole(StrEnum):
    SERVER = "server"
    DESKTOP = "desktop"
    NETWORK = "network"
    ATM = "atm"
    STORAGE = "storage"
    PRINTER = "printer"
    OTHER = "other"


@node(
    "Device",
    doc="A physical or virtual machine: server, desktop, network device, ATM.",
    identity=("serial", "system_uuid", "snmp_engine_id", "machine_id", "hostname"),
)
class Device(Node):
    role: Annotated[
        str | None, Prop("Role (DeviceRole): server, desktop, network, atm, ...", indexed=True)
    ] = None
    platform: Annotated[
        str | None, Prop("Discovery platform, e.g. linux, cisco_ios.", indexed=True)
    ] = None
    hostname: Annotated[
        str | None, Prop("Short host name as the device reports it.", indexed=True)
    ] = None
    fqdn: Annotated[str | None, Prop("Fully qualified domain name, when the device knows one.")] = (
        None
    )
    serial: Annotated[str | None, Prop("Vendor serial number (SMBIOS/chassis).", indexed=True)] = (
        None
    )
    system_uuid: Annotated[str | None, Prop("SMBIOS system UUID, lower case.", indexed=True)] = None
    snmp_engine_id: Annotated[
        str | None, Prop("SNMP engine ID (snmpEngineID), hex, lower case.", indexed=True)
    ] = None
    machine_id: Annotated[
        str | None, Prop("OS installation id (/etc/machine-id).", indexed=True)
    ] = None
    vendor: Annotated[str | None, Prop("Hardware vendor (SMBIOS system manufacturer).")] = None
    model: Annotated[str | None, Prop("Hardware model (SMBIOS product name).")] = None
    cpu_model: Annotated[str | None, Prop("CPU model name.")] = None
    cpu_count: Annotated[int | None, Prop("Logical CPUs.")] = None
    memory_bytes: Annotated[int | None, Prop("Physical memory in bytes.")] = None
    boot_time: Annotated[str | None, Prop("Last boot, ISO 8601 UTC.")] = None


@node(
    "OperatingSystem",
    doc="The operating system a device runs; one per device and OS family.",
    key=("family",),
    owner=Owner("Device", "HAS_OS"),
)
class OperatingSystem(Node):
    family: Annotated[str, Key("OS family: linux, windows, ios, ...")]
    name: Annotated[str | None, Prop("Distribution or product name (os-release NAME).")] = None
    distro_id: Annotated[str | None, Prop("os-release ID, e.g. debian, rhel.", indexed=True)] = None
    version: Annotated[
        str | None, Prop("Version string (os-release VERSION_ID).", indexed=True)
    ] = None
    pretty_name: Annotated[str | None, Prop("Human-readable name (os-release PRETTY_NAME).")] = None
    kernel_release: Annotated[str | None, Prop("Kernel release (uname -r).")] = None
    architecture: Annotated[str | None, Prop("Machine architecture (uname -m).")] = None


@node(
    "Interface",
    doc="A network interface of a device.",
    key=("name",),
    owner=Owner("Device", "HAS_INTERFACE"),
)
class Interface(Node):
    name: Annotated[str, Key("Interface name as the OS shows it, e.g. eth0.")]
    mac: Annotated[str | None, Prop("MAC address, lower case, colon separated.", indexed=True)] = (
        None
    )
    kind: Annotated[str | None, Prop("Link type: ether, loopback, none, ...")] = None
    mtu: Annotated[int | None, Prop("MTU in bytes.")] = None
    admin_up: Annotated[bool | None, Prop("Administratively up (the UP flag).")] = None
    oper_status: Annotated[str | None, Prop("Operational state: up, down, unknown, ...")] = None
    master: Annotated[
        str | None, Prop("Name of the bond/bridge/VRF this interface belongs to.")
    ] = None
    description: Annotated[
        str | None, Prop("Operator's description (IF-MIB ifAlias, `description` line).")
    ] = None
    speed_bps: Annotated[int | None, Prop("Nominal speed in bits per second.")] = None


@node(
    "IpAddress",
    doc="An IP address configured on an interface.",
    key=("interface", "address"),
    owner=Owner("Interface", "HAS_IP", by=("interface",)),
)
class IpAddress(Node):
    interface: Annotated[str, Key("Name of the owning interface.")]
    address: Annotated[str, Key("The address, without prefix length.")]
    prefix_length: Annotated[int | None, Prop("Prefix length.")] = None
    family: Annotated[str | None, Prop("ipv4 or ipv6.")] = None
    scope: Annotated[str | None, Prop("Scope: global, link, host.")] = None


@node(
    "Package",
    doc="A software package installed on a device.",
    key=("name", "arch"),
    owner=Owner("Device", "INSTALLED"),
)
class Package(Node):
    name: Annotated[str, Key("Package name.")]
    arch: Annotated[str, Key("Architecture (amd64, x86_64, noarch, all).")]
    version: Annotated[
        str | None, Prop("Installed version (the newest, if several).", indexed=True)
    ] = None
    other_versions: Annotated[
        tuple[str, ...] | None, Prop("Older versions installed side by side.")
    ] = None
    manager: Annotated[str | None, Prop("Package manager: dpkg, rpm.")] = None


@node(
    "Service",
    doc="A service (systemd unit, SysV script) on a device.",
    key=("name",),
    owner=Owner("Device", "RUNS"),
)
class Service(Node):
    name: Annotated[str, Key("Unit or service name, e.g. ssh.service.")]
    description: Annotated[str | None, Prop("Description.")] = None
    active_state: Annotated[str | None, Prop("active, inactive, failed, ...")] = None
    sub_state: Annotated[str | None, Prop("running, exited, dead, ...")] = None
    enabled: Annotated[
        str | None, Prop("Boot-time state: enabled, disabled, static, masked, ...")
    ] = None


@node(
    "ListeningPort",
    doc="A socket listening for connections on a device.",
    key=("protocol", "address", "port"),
    owner=Owner("Device", "LISTENS_ON"),
)
class ListeningPort(Node):
    protocol: Annotated[str, Key("tcp or udp.")]
    address: Annotated[str, Key("Local address; * or 0.0.0.0 / :: for all.")]
    port: Annotated[int, Key("Local port number.")]
    process: Annotated[str | None, Prop("Name of the owning process, when visible.")] = None


@node(
    "ConfigFile",
    doc="A configuration file on a device: its hash and selected parsed settings.",
    key=("path",),
    owner=Owner("Device", "HAS_CONFIG"),
)
class ConfigFile(Node):
    path: Annotated[str, Key("Absolute path.")]
    sha256: Annotated[str | None, Prop("SHA-256 of the file content.")] = None
    size: Annotated[int | None, Prop("Size in bytes.")] = None
    format: Annotated[
        str | None, Prop("Parser used: sshd, chrony, ntp, resolv, sysctl, keyvalue.")
    ] = None
    settings: Annotated[
        Mapping[str, str] | None,
        Prop("Selected parsed settings, one history entry per setting (redacted: no secrets)."),
    ] = None


@node(
    "Filesystem",
    doc="A mounted filesystem (size only: usage changes all the time and is not "
    "configuration).",
    key=("mount_point",),
    owner=Owner("Device", "HAS_FILESYSTEM"),
)
class Filesystem(Node):
    mount_point: Annotated[str, Key("Mount point, or the drive (C:\\) on Windows.")]
    block_device: Annotated[str | None, Prop("Block device or volume it is mounted from.")] = None
    fstype: Annotated[str | None, Prop("Filesystem type: ext4, xfs, NTFS, ...")] = None
    size_bytes: Annotated[int | None, Prop("Size in bytes.")] = None


@node(
    "Component",
    doc="A hardware part of a device: chassis, module, power supply, fan, transceiver; "
    "on ATMs the XFS devices (card reader, dispenser, PIN pad, ...).",
    key=("name",),
    owner=Owner("Device", "HAS_COMPONENT"),
)
class Component(Node):
    name: Annotated[
        str, Key("Name as the device reports it (ENTITY-MIB entPhysicalName, inventory NAME).")
    ]
    kind: Annotated[
        str | None,
        Prop("chassis, module, power-supply, fan, sensor, port, transceiver, stack, "
             "container, cpu, other; on ATMs the XFS class (IDC, CDM, PIN, ...)."),
    ] = None
    description: Annotated[str | None, Prop("Description (entPhysicalDescr, DESCR).")] = None
    vendor: Annotated[str | None, Prop("Manufacturer.")] = None
    model: Annotated[str | None, Prop("Model or part number (PID).")] = None
    serial: Annotated[str | None, Prop("Serial number.", indexed=True)] = None
    hardware_revision: Annotated[str | None, Prop("Hardware revision (VID).")] = None
    firmware: Annotated[str | None, Prop("Firmware or software revision.")] = None


@node(
    "Vlan",
    doc="A VLAN defined on a switch.",
    key=("vlan_id",),
    owner=Owner("Device", "HAS_VLAN"),
)
class Vlan(Node):
    vlan_id: Annotated[int, Key("802.1Q VLAN id.")]
    name: Annotated[str | None, Prop("VLAN name.")] = None
    state: Annotated[str | None, Prop("active, suspend, act/lshut, ...")] = None


@node(
    "Neighbor",
    doc="An LLDP or CDP neighbour a device sees on one of its interfaces. Topology turns "
    "neighbours whose far end is known into CONNECTED_TO links; the rest stay pending here.",
    key=("protocol", "local_interface", "remote_device", "remote_port"),
    owner=Owner("Device", "HAS_NEIGHBOR"),
)
class Neighbor(Node):
    protocol: Annotated[str, Key("lldp or cdp.")]
    local_interface: Annotated[str, Key("This device's interface name.")]
    remote_device: Annotated[
        str, Key("The neighbour's system name, or its chassis id when it sends no name.")
    ]
    remote_port: Annotated[str, Key("The neighbour's port id or interface name.")]
    remote_chassis_id: Annotated[str | None, Prop("LLDP chassis id (often a MAC).")] = None
    remote_port_description: Annotated[str | None, Prop("LLDP port description.")] = None
    remote_platform: Annotated[
        str | None, Prop("CDP platform or LLDP system description.")
    ] = None
    remote_mgmt_address: Annotated[str | None, Prop("Management address it advertises.")] = (
        None
    )


@node(
    "ForwardingEntry",
    doc="A MAC address a switch learnt on a port (BRIDGE-MIB/Q-BRIDGE FDB, "
    "`show mac address-table`), with the IP the ARP table maps it to where known.",
    key=("mac", "vlan_id"),
    owner=Owner("Device", "LEARNT"),
)
class ForwardingEntry(Node):
    mac: Annotated[str, Key("MAC address, lower case, colon separated.")]
    vlan_id: Annotated[int, Key("VLAN id; 0 when the table has no VLAN.")]
    interface: Annotated[str | None, Prop("Port the MAC was learnt on.", indexed=True)] = None
    ip: Annotated[str | None, Prop("IP address ARP maps this MAC to.")] = None
    entry_type: Annotated[str | None, Prop("dynamic, static, self, ...")] = None


@node(
    "ConfigSnapshot",
    doc="A device's running (or startup) configuration, redacted: secrets are replaced "
    "by placeholders and only a keyed fingerprint of each is kept. Every distinct text is "
    "one version in the property history, addressed by its sha256.",
    key=("kind",),
    owner=Owner("Device", "HAS_CONFIG_SNAPSHOT"),
)
class ConfigSnapshot(Node):
    kind: Annotated[str, Key("running or startup.")]
    sha256: Annotated[str | None, Prop("SHA-256 of the redacted text.", indexed=True)] = None
    text: Annotated[str | None, Prop("Redacted configuration text, volatile lines removed.")] = (
        None
    )
    line_count: Annotated[int | None, Prop("Lines in the redacted text.")] = None
    secret_fingerprints: Annotated[
        Mapping[str, str] | None,
        Prop("Keyed HMAC of each redacted secret by its place in the config: a changed "
             "secret changes its fingerprint, and no secret is stored."),
    ] = None


@node("Site", doc="A location: data centre, branch, region.", key=("name",))
class Site(Node):
    name: Annotated[str, Key("Site name as in the inventory.")]


relationship("LOCATED_IN", "Device", "Site", "The device is at this site.")
relationship("CONNECTED_TO", "Interface", "Interface",
             "Physical link seen by LLDP/CDP, from the lower uid to the higher (links have no "
             "direction); derived after each discovery run by cmdb.topology.")
relationship("ATTACHED_TO", "Interface", "Interface",
             "An endpoint's interface is plugged into this switch port: its MAC (or its IP "
             "through ARP) was learnt there; derived by cmdb.topology.")
relationship("DEPENDS_ON", "Device", "Device", "The source needs the target to work.")
