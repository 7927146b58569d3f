"""Recorded SNMP devices on loopback: snmpsim serving `.snmprec` files (TESTBED: "snmpsim").

`SnmpsimPeer` runs one `snmpsim-command-responder` with one SNMP engine per simulated
device (its own engine ID and loopback address, a shared UDP port), all reading one data
directory in place: v1/v2c pick the recording by community (the file stem), SNMPv3 by
context name (the stem again). Every device thus answers every recording of that
directory; a test addresses device `d` with `d.community`. snmpsim is single-threaded:
`SnmpsimFleet` spreads many devices over several processes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from discovery.lab.snmpd import SnmpUser, free_udp_port, net_snmp_env

_STOP_TIMEOUT = 5.0
_RESPONDER = "snmpsim-command-responder"
# snmpsim's names for protocols, from net-snmp's (how SnmpUser names them).
_SIM_AUTH = {"MD5": "MD5", "SHA": "SHA", "SHA-224": "SHA224", "SHA-256": "SHA256",
             "SHA-384": "SHA384", "SHA-512": "SHA512"}
_SIM_PRIV = {"DES": "DES", "AES": "AES", "AES-128": "AES", "AES-192": "AES192BLMT",
             "AES-256": "AES256BLMT", "AES-192-C": "AES192", "AES-256-C": "AES256"}


@dataclass(frozen=True)
class SimDevice:
    """One simulated device: a loopback address and the recording it plays."""

    address: str
    recording: str  # file stem in the data dir = v1/v2c community = v3 context name

    @property
    def community(self) -> str:
        return self.recording


class SnmpsimStartError(RuntimeError):
    """snmpsim did not come up; the message carries its log."""


def responder_path() -> Path:
    """The responder installed beside this interpreter (the venv), else on PATH."""
    local = Path(sys.executable).parent / _RESPONDER
    found = local if local.exists() else shutil.which(_RESPONDER)
    if found is None:
        raise SnmpsimStartError(f"{_RESPONDER} not found (pip install snmpsim pysmi)")
    return Path(found)


class SnmpsimPeer:
    """One snmpsim process serving `devices` from `data_dir` on UDP `port`."""

    def __init__(self, data_dir: Path, devices: Sequence[SimDevice], port: int | None = None,
                 v3_user: SnmpUser | None = None, start_timeout: float = 60.0) -> None:
        if not devices:
            raise ValueError("no devices to simulate")
        self._data_dir = data_dir.resolve()
        self._devices = tuple(devices)
        self._port = port
        self._v3_user = v3_user
        self._start_timeout = start_timeout
        self._dir = Path(tempfile.mkdtemp(prefix="snmpsim-peer-"))
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def __repr__(self) -> str:
        return f"SnmpsimPeer({len(self._devices)} devices, port={self._port}, pid={self.pid})"

    @property
    def devices(self) -> tuple[SimDevice, ...]:
        return self._devices

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("snmpsim peer not started")
        return self._port

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def v3_user(self) -> SnmpUser | None:
        return self._v3_user

    def log_text(self) -> str:
        path = self._dir / "snmpsim.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def client_env(self) -> dict[str, str]:
        return net_snmp_env(self._dir / "client-state")

    def client_args(self, device: SimDevice) -> list[str]:
        return ["-v2c", "-c", device.community, f"{device.address}:{self.port}"]

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> SnmpsimPeer:
        self.launch()
        self.wait_ready()
        return self

    def launch(self) -> None:
        """Start the process without waiting (to start several processes at once)."""
        if self._proc is not None:
            return
        if self._port is None:
            self._port = free_udp_port(*(d.address for d in self._devices))
        args = self._dir / "engines.args"
        args.write_text("\n".join(self._engine_args()) + "\n", encoding="utf-8")
        args.chmod(0o600)  # it may hold the v3 keys
        cache = self._dir / "cache"
        cache.mkdir(exist_ok=True)
        self._log = (self._dir / "snmpsim.out").open("ab")
        env = {**os.environ, "SNMPSIM_ALLOW_ROOT": "true"}  # refuses to run as root else
        self._proc = subprocess.Popen(
            [str(responder_path()), f"--cache-dir={cache}", "--log-level=error",
             f"--logging-method=file:{self._dir / 'snmpsim.log'}", f"--args-from-file={args}"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log, env=env)

    def wait_ready(self) -> None:
        """Until every device answers a GETNEXT, or the process exits."""
        deadline = time.monotonic() + self._start_timeout
        for device in self._devices:
            while not self._answers(device):
                if self._proc is None or self._proc.poll() is not None:
                    self._fail("snmpsim exited")
                if time.monotonic() > deadline:
                    self._fail(f"{device.address}:{self.port} did not answer within "
                               f"{self._start_timeout:.0f} s")
                time.sleep(0.2)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(_STOP_TIMEOUT)
        if self._log is not None:
            self._log.close()
            self._log = None
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> SnmpsimPeer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _engine_args(self) -> list[str]:
        """One engine block per device; only engine options go in the args file."""
        lines: list[str] = []
        for device in self._devices:
            lines += ["--v3-engine-id=auto", f"--data-dir={self._data_dir}",
                      f"--agent-udpv4-endpoint={device.address}:{self._port}"]
            user = self._v3_user
            if user is not None:
                lines += [f"--v3-user={user.name}", f"--v3-auth-key={user.auth_key}",
                          f"--v3-auth-proto={_SIM_AUTH[user.auth_protocol]}",
                          f"--v3-priv-key={user.priv_key}",
                          f"--v3-priv-proto={_SIM_PRIV[user.priv_protocol]}"]
        return lines

    def _answers(self, device: SimDevice) -> bool:
        probe = subprocess.run(
            ["snmpgetnext", "-r", "0", "-t", "0.5", "-On", *self.client_args(device),
             "1.3.6.1"], capture_output=True, env=self.client_env(), check=False)
        return probe.returncode == 0 and b" = " in probe.stdout

    def _fail(self, why: str) -> None:
        out = self._dir / "snmpsim.out"
        extra = out.read_text(errors="replace")[-2000:] if out.exists() else ""
        raise SnmpsimStartError(f"{why}; log:\n{self.log_text()[-4000:]}\n{extra}")


class SnmpsimFleet:
    """Many devices over `processes` snmpsim processes (snmpsim is single-threaded)."""

    def __init__(self, data_dir: Path, devices: Sequence[SimDevice], processes: int,
                 start_timeout: float = 180.0) -> None:
        count = max(1, min(processes, len(devices)))
        self.peers = [SnmpsimPeer(data_dir, devices[i::count], start_timeout=start_timeout)
                      for i in range(count)]

    def start(self) -> SnmpsimFleet:
        for peer in self.peers:
            peer.launch()
        for peer in self.peers:
            peer.wait_ready()
        return self

    def stop(self) -> None:
        for peer in self.peers:
            peer.stop()

    def endpoints(self) -> list[tuple[SimDevice, int]]:
        return [(device, peer.port) for peer in self.peers for device in peer.devices]

    def __enter__(self) -> SnmpsimFleet:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
