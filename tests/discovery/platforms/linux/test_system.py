"""Edge cases of the `system` parser."""

from __future__ import annotations

import pytest

from cmdb.schema import Device, OperatingSystem
from discovery.errors import CommandError, ParseError
from discovery.platforms.linux import system
from discovery.recording import read_case
from discovery.transports.base import CommandOutput
from tests.discovery.platforms.linux.cases import FIXTURES

LINES = {c.name: c.line for c in system.COMMANDS}


def _outputs(**changes: CommandOutput) -> dict[str, CommandOutput]:
    outputs = read_case(FIXTURES / "system" / "rhel9")
    outputs.update(changes)
    return outputs


def _ok(name: str, stdout: str) -> CommandOutput:
    return CommandOutput(LINES[name], stdout)


def _parse(**changes: CommandOutput) -> tuple[Device, OperatingSystem]:
    device, os_node = system.parse(_outputs(**changes)).nodes
    assert isinstance(device, Device) and isinstance(os_node, OperatingSystem)
    return device, os_node


def test_dmi_permission_denied_and_empty_values_are_not_observed() -> None:
    denied = CommandOutput(LINES["dmi_serial"], "", "cat: ...: Permission denied\n", 1)
    device, _ = _parse(dmi_serial=denied, dmi_vendor=_ok("dmi_vendor", "  \n"),
                       dmi_uuid=_ok("dmi_uuid", "\n"))
    assert (device.serial, device.vendor, device.system_uuid) == (None, None, None)


def test_junk_dmi_is_reported_as_seen() -> None:
    device, _ = _parse(dmi_serial=_ok("dmi_serial", "To be filled by O.E.M.\n"),
                       dmi_uuid=_ok("dmi_uuid", "03000200-0400-0500-0006-000700080009\n"))
    assert device.serial == "To be filled by O.E.M."
    assert device.system_uuid == "03000200-0400-0500-0006-000700080009"


@pytest.mark.parametrize("content", ["", "uninitialized\n", "not-an-id\n"])
def test_machine_id_must_be_32_hex(content: str) -> None:
    device, _ = _parse(machine_id=_ok("machine_id", content))
    assert device.machine_id is None


def test_machine_id_is_lower_cased() -> None:
    device, _ = _parse(machine_id=_ok("machine_id", "8F2B0C6E1D3A4B5C9E7F6A5B4C3D2E1F\r\n"))
    assert device.machine_id == "8f2b0c6e1d3a4b5c9e7f6a5b4c3d2e1f"


def test_short_name_from_hostname_f_is_no_fqdn() -> None:
    device, _ = _parse(fqdn=_ok("fqdn", "web01\n"))
    assert device.fqdn is None


def test_os_release_noise_and_quoting() -> None:
    text = ("# comment\r\n\r\nNAME='Fedora Linux'  \r\nID=Fedora\r\nVERSION_ID=40\r\n"
            'PRETTY_NAME="Fedora Linux 40 (Server \\"Edition\\")"\r\nBROKEN LINE\r\nVARIANT=\r\n')
    _, os_node = _parse(os_release=_ok("os_release", text))
    assert os_node.name == "Fedora Linux"
    assert os_node.distro_id == "fedora"
    assert os_node.version == "40"
    assert os_node.pretty_name == 'Fedora Linux 40 (Server "Edition")'


def test_missing_os_release_leaves_os_names_unobserved() -> None:
    gone = CommandOutput("cat /usr/lib/os-release", "", "cat: ...: No such file\n", 1)
    _, os_node = _parse(os_release=gone)
    assert (os_node.name, os_node.version) == (None, None)
    assert os_node.kernel_release == "5.14.0-362.8.1.el9_3.x86_64"


def test_arm64_cpuinfo_has_no_model_but_a_count() -> None:
    text = "".join(f"processor\t: {i}\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd\n"
                   "CPU implementer\t: 0x41\nCPU part\t: 0xd08\n\n" for i in range(4))
    text += "Hardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n"
    device, _ = _parse(cpuinfo=_ok("cpuinfo", text))
    assert (device.cpu_model, device.cpu_count) == (None, 4)


def test_old_arm_cpuinfo_names_the_processor() -> None:
    text = "Processor\t: ARMv7 Processor rev 10 (v7l)\nprocessor\t: 0\nBogoMIPS\t: 38.40\n"
    device, _ = _parse(cpuinfo=_ok("cpuinfo", text))
    assert (device.cpu_model, device.cpu_count) == ("ARMv7 Processor rev 10 (v7l)", 1)


def test_boot_time_is_iso_utc() -> None:
    device, _ = _parse(stat=_ok("stat", "cpu  1 2 3\nbtime 0\n"))
    assert device.boot_time == "1970-01-01T00:00:00Z"


@pytest.mark.parametrize(("name", "stdout", "message"), [
    ("os_release", "<html>404</html>\n", "cat /etc/os-release: no KEY=VALUE line"),
    ("uname", "Linux\n", "uname -srm: expected"),
    ("hostname", "\n", "hostname: expected one host name"),
    ("hostname", "two names\n", "hostname: expected one host name"),
    ("fqdn", "a.example b.example\n", "hostname -f: expected one name"),
    ("cpuinfo", "garbage\n", "cat /proc/cpuinfo: no 'key : value' line"),
    ("meminfo", "MemFree: 1 kB\n", "cat /proc/meminfo: no 'MemTotal: N kB' line"),
    ("stat", "cpu 1 2 3\n", "cat /proc/stat: no 'btime SECONDS' line"),
])
def test_garbage_is_a_parse_error_naming_command_and_input(
        name: str, stdout: str, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        system.parse(_outputs(**{name: _ok(name, stdout)}))
    assert message in str(caught.value)
    assert caught.value.collector == "system"
    if stdout.strip():
        assert repr(stdout.strip()) in str(caught.value)


def test_excerpt_is_short() -> None:
    with pytest.raises(ParseError) as caught:
        system.parse(_outputs(os_release=_ok("os_release", "x" * 5000)))
    assert len(str(caught.value)) < 200


def test_failed_required_command_is_a_command_error() -> None:
    failed = CommandOutput("uname -srm", "", "sh: uname: not found\n", 127)
    with pytest.raises(CommandError, match="uname -srm: exit status 127"):
        system.parse(_outputs(uname=failed))
