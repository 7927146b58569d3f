"""TEST CODE ONLY: a small simulated network for end-to-end discovery tests.

Each network CLI platform gets a device (tests/peers/clisim.py) that replays the project's
own recorded cases (tests/fixtures/<platform>/<collector>/<case>/): one case per fact
collector, merged into one command -> output mapping, plus the `all_secrets` running
configuration. `LabDevice` says which cases were picked, so a test reads what to expect
from their expected.json and which secrets must never leave the device from secrets.json.

`Lab` holds the started devices (CLI simulators, snmpsim targets, the real snmpd), writes
inventories for them and runs the real `cmdb discover` over them (`Run`).
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from discovery.lab.snmpd import SnmpdPeer
from discovery.lab.snmpsim import SimDevice as SnmpTarget
from discovery.lab.snmpsim import SnmpsimPeer
from discovery.platforms import NETWORK_PLATFORMS
from discovery.platforms.netcli import NetworkPlatform
from discovery.platforms.netconfig.collector import NAME as RUNNING_CONFIG
from discovery.recording import read_case
from tests.cmdb_command import Cmdb
from tests.peers.clisim import PROJECT_FIXTURES, CliSim, SimDevice, SimFactory, case_outputs

__all__ = ["CONFIG_CASE", "SNMPD_TARGET", "USER", "Identity", "Lab", "LabDevice",
           "LabSecrets", "Run", "SnmpTarget", "lab_device", "lab_platforms", "secrets_of"]

CONFIG_CASE = "all_secrets"
EXPECTED = "expected.json"
# A pager prompt left in a capture: `---- More ----`, `--More--`, `---(more 42%)---`.
PAGER = re.compile(r"-{2,} ?\(?more\b[^-\n]*-{2,}", re.IGNORECASE)
# The cases' MACs are in the documentation range 00-00-5E-00-53-xx, in any notation.
DOC_MAC = re.compile(r"\b00([:.-]?)00([:.-]?)5e([:.-]?)00([:.-]?)53", re.IGNORECASE)


@dataclass(frozen=True)
class Identity:
    """What tells one device from another of the same kind."""

    serial: str
    hostname: str


def lab_platforms() -> dict[str, NetworkPlatform]:
    """The network CLI platforms by name (tests/fixtures/<name>/ uses the same names)."""
    return {platform.name: platform for platform in NETWORK_PLATFORMS}


@dataclass(frozen=True)
class LabDevice:
    """One simulated device's recorded cases: fact collector -> case folder, and the
    running configuration case."""

    platform: str
    device_type: str  # netmiko's, which is also the simulator's dialect
    cases: Mapping[str, Path]
    config_case: Path
    other: Identity | None = None  # None: the device the cases recorded

    def outputs(self) -> dict[str, str]:
        """command line -> output, as a device with paging turned off prints it."""
        merged: dict[str, str] = {}
        for case in (*self.cases.values(), self.config_case):
            for command, text in case_outputs(case).items():
                merged[command] = self._renamed(without_pager_lines(text))
        return merged

    def another(self, serial: str, hostname: str) -> LabDevice:
        """Another device of the same kind, playing the same recordings with its own
        serial number and host name, and its own MACs: the documentation range has room
        for one set, so the copy's are locally administered (02-00-5E-00-53-xx)."""
        return replace(self, other=Identity(serial, hostname))

    def _renamed(self, text: str) -> str:
        if self.other is None:
            return text
        recorded = self._recorded_device()
        text = text.replace(recorded["serial"], self.other.serial)
        text = re.sub(rf"(?<![\w-]){re.escape(recorded['hostname'])}(?![\w-])",
                      self.other.hostname, text)
        return DOC_MAC.sub(r"02\g<1>00\g<2>5e\g<3>00\g<4>53", text)

    def expected(self, collector: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.cases[collector] / EXPECTED).read_text(
            encoding="utf-8"))
        return data

    def expected_nodes(self, collector: str, label: str) -> list[dict[str, Any]]:
        return [node["properties"] for node in self.expected(collector)["nodes"]
                if node["label"] == label]

    def expected_device(self) -> dict[str, Any]:
        """The Device the facts case expects, with the identity this device plays."""
        device = self._recorded_device()
        if self.other is not None:
            device.update(serial=self.other.serial, hostname=self.other.hostname)
        return device

    def _recorded_device(self) -> dict[str, Any]:
        (device,) = self.expected_nodes("facts", "Device")
        return device

    def expected_config(self) -> dict[str, Any]:
        """The ConfigSnapshot the running-config case expects."""
        data = json.loads((self.config_case / EXPECTED).read_text(encoding="utf-8"))
        (snapshot,) = [node["properties"] for node in data["nodes"]
                       if node["label"] == "ConfigSnapshot"]
        found: dict[str, Any] = snapshot
        return found

    def commands_of(self, collector: str) -> list[str]:
        """The command lines the case of `collector` recorded (those that succeeded)."""
        return list(case_outputs(self.cases[collector]))

    def config_command(self) -> str:
        """The command printing the running configuration, as the case recorded it."""
        (command,) = case_outputs(self.config_case)
        return command

    def secrets(self) -> list[str]:
        return secrets_of(self.config_case)


def secrets_of(case: Path) -> list[str]:
    """Every secret written into a running-config case (its secrets.json)."""
    found: list[str] = json.loads((case / "secrets.json").read_text(encoding="utf-8"))
    return found


def without_pager_lines(text: str) -> str:
    """A capture made with paging on keeps the pager prompt (someone pressed space);
    the device with paging off, which the simulator plays, prints no such line."""
    lines = text.splitlines(keepends=True)
    return "".join(line for line in lines if not PAGER.search(line))


def lab_device(platform: str) -> LabDevice:
    """Recorded cases of `platform` for one device: per fact collector the first case
    (by name) whose commands all succeeded and that agrees with the cases chosen before."""
    network = lab_platforms()[platform]
    cases: dict[str, Path] = {}
    taken: dict[str, str] = {}
    for collector in network.fact_collectors:
        chosen = _pick(_usable(platform, collector.name), taken)
        cases[collector.name] = chosen
        taken.update(case_outputs(chosen))
    config = PROJECT_FIXTURES / platform / RUNNING_CONFIG / CONFIG_CASE
    return LabDevice(platform, network.profile.device_type, cases, config)


def _usable(platform: str, collector: str) -> list[Path]:
    """Cases of one collector, those whose every command succeeded first."""
    folder = PROJECT_FIXTURES / platform / collector
    found = sorted(p for p in folder.iterdir() if (p / EXPECTED).is_file())
    if not found:
        raise LookupError(f"no recorded case under {folder}")
    return sorted(found, key=lambda case: (not _all_ok(case), _pages(case)))


def _all_ok(case: Path) -> bool:
    return all(output.ok for output in read_case(case).values())


def _pages(case: Path) -> bool:
    return any(PAGER.search(text) for text in case_outputs(case).values())


def _pick(cases: list[Path], taken: Mapping[str, str]) -> Path:
    """The first case that agrees with the outputs already taken: two collectors may
    send the same command (Junos `show chassis hardware`)."""
    for case in cases:
        if _agrees(case_outputs(case), taken):
            return case
    raise LookupError(f"no case of {cases[0].parent} agrees with the outputs of the "
                      f"cases already chosen for this device")


def _agrees(outputs: Mapping[str, str], taken: Mapping[str, str]) -> bool:
    return all(taken.get(command, text) == text for command, text in outputs.items())


# -- the lab: started devices, inventories, runs ------------------------------------------

USER = "netops"
SNMPD_TARGET = "snmpd-v3"


def _random(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(8)}"


@dataclass(frozen=True)
class LabSecrets:
    """The lab's own credentials, new for every lab."""

    password: str = field(default_factory=lambda: _random("pw"), repr=False)
    enable: str = field(default_factory=lambda: _random("en"), repr=False)
    wrong_password: str = field(default_factory=lambda: _random("wrong-pw"), repr=False)
    wrong_community: str = field(default_factory=lambda: _random("wrong-ro"), repr=False)


@dataclass(frozen=True)
class Run:
    """One `cmdb discover`: its store, what it printed, its --json and --record output."""

    store: Path
    done: subprocess.CompletedProcess[str]
    result_file: Path
    record_dir: Path | None

    def targets(self) -> dict[str, dict[str, Any]]:
        result = json.loads(self.result_file.read_text(encoding="utf-8"))
        return {t["target"]: t for t in result["targets"]}

    def copy_store(self, name: str) -> Path:
        """A copy of the store's directory (store, installation key, pinned keys)."""
        copy = self.store.parent.parent / name
        shutil.copytree(self.store.parent, copy)
        return copy

    def written(self) -> dict[str, bytes]:
        """Everything the run wrote or printed, byte for byte: output, the store with its
        journal files, the --json file and the --record directory."""
        found = {"stdout": self.done.stdout.encode(), "stderr": self.done.stderr.encode(),
                 str(self.result_file): self.result_file.read_bytes()}
        found.update({str(p): p.read_bytes()
                      for p in self.store.parent.glob(f"{self.store.name}*")})
        if self.record_dir is not None:
            found.update({str(p): p.read_bytes() for p in self.record_dir.rglob("*")
                          if p.is_file()})
        return found


@dataclass
class Lab:
    """Started devices: CLI target -> its recorded cases, simulator and the outputs the
    simulator replays (a dict a test may change), snmpsim target -> its recording."""

    root: Path
    secrets: LabSecrets
    cases: dict[str, LabDevice]
    sims: dict[str, CliSim]
    outputs: dict[str, dict[str, str]]
    snmpd: SnmpdPeer
    snmpsim: SnmpsimPeer
    snmp_targets: dict[str, SnmpTarget]

    @classmethod
    def start(cls, root: Path, start: SimFactory, cases: Mapping[str, LabDevice],
              enabled: Collection[str], snmpd: SnmpdPeer, snmpsim: SnmpsimPeer,
              snmp_targets: Mapping[str, SnmpTarget], subnet: str = "127.0.74") -> Lab:
        """One simulator per CLI target on `subnet`.N (those in `enabled` want enable
        mode with a secret); snmpd and snmpsim are already running."""
        lab_secrets = LabSecrets()
        sims, outputs = {}, {}
        for number, (target, case) in enumerate(cases.items(), start=1):
            outputs[target] = case.outputs()  # the simulator replays this very dict
            device = SimDevice(case.device_type, outputs[target], hostname=f"lab-{target}",
                               username=USER, password=lab_secrets.password,
                               enable_secret=lab_secrets.enable if target in enabled
                               else None)
            sims[target] = start(device, f"{subnet}.{number}")
        return cls(root, lab_secrets, dict(cases), sims, outputs, snmpd, snmpsim,
                   dict(snmp_targets))

    @property
    def known_hosts(self) -> Path:
        path = self.root / "known_hosts"
        path.write_text("".join(sim.known_hosts_line() for sim in self.sims.values()),
                        encoding="utf-8")
        return path

    @property
    def env(self) -> dict[str, str]:
        """The environment the inventory's env: references read."""
        user = self.snmpd.users[0]
        env = {"LAB_PASSWORD": self.secrets.password, "LAB_ENABLE": self.secrets.enable,
               "LAB_WRONG_PASSWORD": self.secrets.wrong_password,
               "LAB_WRONG_COMMUNITY": self.secrets.wrong_community,
               "LAB_SNMPD_AUTH": user.auth_key, "LAB_SNMPD_PRIV": user.priv_key}
        env.update({f"LAB_COMMUNITY_{t.recording}": t.community
                    for t in self.snmp_targets.values()})
        return env

    def inventory(self, name: str, *, snmp: bool = True,
                  wrong_password: Collection[str] = (),
                  wrong_community: Collection[str] = ()) -> Path:
        """Every device (`snmp=False`: the CLI devices only), those named in
        `wrong_password` / `wrong_community` with a credential the device refuses."""
        hosts = {t: self._cli_host(t, t in wrong_password) for t in self.sims}
        if snmp:
            hosts.update({t: self._snmpsim_host(device, t in wrong_community)
                          for t, device in self.snmp_targets.items()})
            hosts[SNMPD_TARGET] = self._snmpd_host()
        path = self.root / f"{name}.yaml"
        path.write_text(yaml.safe_dump({"hosts": hosts}, sort_keys=False), encoding="utf-8")
        return path

    def _cli_host(self, target: str, wrong: bool) -> dict[str, Any]:
        sim = self.sims[target]
        host: dict[str, Any] = {
            "address": sim.address, "port": sim.port, "platform": self.cases[target].platform,
            "transport": "ssh", "credentials": {"username": USER, "password": (
                "env:LAB_WRONG_PASSWORD" if wrong else "env:LAB_PASSWORD")}}
        if sim.device.enable_secret is not None:
            host["vars"] = {"enable": True, "enable_secret": "env:LAB_ENABLE"}
        return host

    def _snmpsim_host(self, device: SnmpTarget, wrong: bool) -> dict[str, Any]:
        community = "LAB_WRONG_COMMUNITY" if wrong else f"LAB_COMMUNITY_{device.recording}"
        return {"address": device.address, "platform": "generic_snmp", "transport": "snmp",
                "snmp": {"version": "2c", "community": f"env:{community}",
                         "port": self.snmpsim.port}}

    def _snmpd_host(self) -> dict[str, Any]:
        user = self.snmpd.users[0]  # SHA / AES-128
        return {"address": self.snmpd.address, "platform": "generic_snmp",
                "transport": "snmp", "snmp": {
                    "user": user.name, "auth_protocol": user.auth_protocol,
                    "auth_key": "env:LAB_SNMPD_AUTH", "priv_protocol": user.priv_protocol,
                    "priv_key": "env:LAB_SNMPD_PRIV", "port": self.snmpd.port}}

    def forbidden(self) -> dict[str, str]:
        """secret -> what it is: none of these may leave the devices."""
        found = {secret: f"{case.config_case}/secrets.json" for case in self.cases.values()
                 for secret in case.secrets()}
        found.update({self.secrets.password: "SSH password",
                      self.secrets.enable: "enable secret",
                      self.secrets.wrong_password: "wrong SSH password",
                      self.secrets.wrong_community: "wrong community",
                      self.snmpd.community: "snmpd community"})
        for user in self.snmpd.users:
            found.update({user.auth_key: "SNMPv3 auth key", user.priv_key: "SNMPv3 priv key"})
        found.update({t.community: "snmpsim community" for t in self.snmp_targets.values()})
        return found

    def discover(self, store_dir: Path, inventory: Path, *extra: str,
                 record: bool = False) -> Run:
        """`cmdb discover` into the store in `store_dir`, with --json (and --record)."""
        store_dir.mkdir(parents=True, exist_ok=True)
        result_file = store_dir.with_name(f"{store_dir.name}-result.json")
        record_dir = store_dir.with_name(f"{store_dir.name}-record") if record else None
        args = [*extra, "--json", str(result_file)]
        args += ["--record", str(record_dir)] if record_dir is not None else []
        # Wide lines: the status table keeps each target's row on one line. A patient
        # SNMP timeout: snmpsim is single-threaded and serves several targets at once.
        cmdb = Cmdb(store_dir / "cmdb.sqlite", **self.env, COLUMNS="400")
        done = cmdb("discover", "-i", str(inventory), "--known-hosts",
                    str(self.known_hosts), "--concurrency", "16", "--snmp-timeout", "5",
                    *args)
        return Run(store_dir / "cmdb.sqlite", done, result_file, record_dir)
