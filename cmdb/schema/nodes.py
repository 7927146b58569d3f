"""The CI classes and relationship types, declared once.

A collector returns instances of these classes carrying only their *local* natural key
(an interface's name, a package's name and arch); reconciliation places them under the
device it identified and derives each node's `uid` from the owner's uid and that key.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from cmdb.schema.base import Node, Owner, key, node, prop, relationship


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
    identity=("serial", "system_uuid", "machine_id", "hostname"),
)
class Device(Node):
    role: str | None = prop("Role (DeviceRole): server, desktop, network, atm, ...", indexed=True)
    platform: str | None = prop("Discovery platform, e.g. linux, cisco_ios.", indexed=True)
    hostname: str | None = prop("Short host name as the device reports it.", indexed=True)
    fqdn: str | None = prop("Fully qualified domain name, when the device knows one.")
    serial: str | None = prop("Vendor serial number (SMBIOS/chassis).", indexed=True)
    system_uuid: str | None = prop("SMBIOS system UUID, lower case.", indexed=True)
    machine_id: str | None = prop("OS installation id (/etc/machine-id).", indexed=True)
    vendor: str | None = prop("Hardware vendor (SMBIOS system manufacturer).")
    model: str | None = prop("Hardware model (SMBIOS product name).")
    cpu_model: str | None = prop("CPU model name.")
    cpu_count: int | None = prop("Logical CPUs.")
    memory_bytes: int | None = prop("Physical memory in bytes.")
    boot_time: str | None = prop("Last boot, ISO 8601 UTC.")


@node(
    "OperatingSystem",
    doc="The operating system a device runs; one per device and OS family.",
    key=("family",),
    owner=Owner("Device", "HAS_OS"),
)
class OperatingSystem(Node):
    family: str = key("OS family: linux, windows, ios, ...")
    name: str | None = prop("Distribution or product name (os-release NAME).")
    distro_id: str | None = prop("os-release ID, e.g. debian, rhel.", indexed=True)
    version: str | None = prop("Version string (os-release VERSION_ID).", indexed=True)
    pretty_name: str | None = prop("Human-readable name (os-release PRETTY_NAME).")
    kernel_release: str | None = prop("Kernel release (uname -r).")
    architecture: str | None = prop("Machine architecture (uname -m).")


@node(
    "Interface",
    doc="A network interface of a device.",
    key=("name",),
    owner=Owner("Device", "HAS_INTERFACE"),
)
class Interface(Node):
    name: str = key("Interface name as the OS shows it, e.g. eth0.")
    mac: str | None = prop("MAC address, lower case, colon separated.", indexed=True)
    kind: str | None = prop("Link type: ether, loopback, none, ...")
    mtu: int | None = prop("MTU in bytes.")
    admin_up: bool | None = prop("Administratively up (the UP flag).")
    oper_status: str | None = prop("Operational state: up, down, unknown, ...")
    master: str | None = prop("Name of the bond/bridge/VRF this interface belongs to.")


@node(
    "IpAddress",
    doc="An IP address configured on an interface.",
    key=("interface", "address"),
    owner=Owner("Interface", "HAS_IP", by=("interface",)),
)
class IpAddress(Node):
    interface: str = key("Name of the owning interface.")
    address: str = key("The address, without prefix length.")
    prefix_length: int | None = prop("Prefix length.")
    family: str | None = prop("ipv4 or ipv6.")
    scope: str | None = prop("Scope: global, link, host.")


@node(
    "Package",
    doc="A software package installed on a device.",
    key=("name", "arch"),
    owner=Owner("Device", "INSTALLED"),
)
class Package(Node):
    name: str = key("Package name.")
    arch: str = key("Architecture (amd64, x86_64, noarch, all).")
    version: str | None = prop("Installed version (the newest, if several).", indexed=True)
    other_versions: tuple[str, ...] | None = prop("Older versions installed side by side.")
    manager: str | None = prop("Package manager: dpkg, rpm.")


@node(
    "Service",
    doc="A service (systemd unit, SysV script) on a device.",
    key=("name",),
    owner=Owner("Device", "RUNS"),
)
class Service(Node):
    name: str = key("Unit or service name, e.g. ssh.service.")
    description: str | None = prop("Description.")
    active_state: str | None = prop("active, inactive, failed, ...")
    sub_state: str | None = prop("running, exited, dead, ...")
    enabled: str | None = prop("Boot-time state: enabled, disabled, static, masked, ...")


@node(
    "ListeningPort",
    doc="A socket listening for connections on a device.",
    key=("protocol", "address", "port"),
    owner=Owner("Device", "LISTENS_ON"),
)
class ListeningPort(Node):
    protocol: str = key("tcp or udp.")
    address: str = key("Local address; * or 0.0.0.0 / :: for all.")
    port: int = key("Local port number.")
    process: str | None = prop("Name of the owning process, when visible.")


@node(
    "ConfigFile",
    doc="A configuration file on a device: its hash and selected parsed settings.",
    key=("path",),
    owner=Owner("Device", "HAS_CONFIG"),
)
class ConfigFile(Node):
    path: str = key("Absolute path.")
    sha256: str | None = prop("SHA-256 of the file content.")
    size: int | None = prop("Size in bytes.")
    format: str | None = prop("Parser used: sshd, chrony, ntp, resolv, sysctl, keyvalue.")
    settings: Mapping[str, str] | None = prop(
        "Selected parsed settings, one history entry per setting (redacted: no secrets)."
    )


@node("Site", doc="A location: data centre, branch, region.", key=("name",))
class Site(Node):
    name: str = key("Site name as in the inventory.")


relationship("LOCATED_IN", "Device", "Site", "The device is at this site.")
relationship("CONNECTED_TO", "Interface", "Interface", "Physical link (LLDP/CDP).")
relationship("DEPENDS_ON", "Device", "Device", "The source needs the target to work.")
