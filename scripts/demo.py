"""The main job on the embedded store (`./scripts/demo`).

Starts a throwaway OpenSSH server on a free loopback port with generated keys, writes an
inventory and a known_hosts file for it, discovers this machine through it into
var/demo/cmdb.sqlite, and shows what the graph holds. Each command is printed before it
runs, so the demo also teaches the CLI.
"""

from __future__ import annotations

import json
import shlex
import socket
import subprocess
import sys
from pathlib import Path

from discovery.lab.sshd import SshdPeer, free_port

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = ROOT / "var" / "demo"
CMDB = str(Path(sys.executable).parent / "cmdb")


def cmdb(*args: str, capture: bool = False) -> subprocess.CompletedProcess[str]:
    if not capture:
        print(f"\n$ {' '.join(shlex.quote(a) for a in ('cmdb', *args))}", flush=True)
    return subprocess.run([CMDB, *args], check=False, text=True,
                          capture_output=capture, env=_env())


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "CMDB_STORE": f"sqlite:{WORKDIR / 'cmdb.sqlite'}",
            "COLUMNS": os.environ.get("COLUMNS", "160")}


def write_inventory(peer: SshdPeer) -> Path:
    inventory = WORKDIR / "inventory.yaml"
    inventory.write_text(
        "# Written by ./scripts/demo: this machine, reached through a throwaway sshd.\n"
        "groups:\n"
        "  demo: {site: demo-lab, role: server, tags: [demo]}\n"
        "hosts:\n"
        f"  this-machine:\n"
        f"    address: {peer.address}\n"
        f"    port: {peer.port}\n"
        f"    groups: [demo]\n"
        f"    credentials: {{username: {peer.user}, key_file: {peer.client_key_path}}}\n"
    )
    return inventory


def demo_port() -> int:
    """The port of the last demo when it is free: the sshd's own listening socket is
    discovered too, and a new port each time would (rightly) be recorded as a change."""
    saved = WORKDIR / "port"
    if saved.exists():
        port = int(saved.read_text())
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    port = free_port("127.0.0.1")
    saved.write_text(str(port))
    return port


def main() -> int:
    WORKDIR.mkdir(parents=True, exist_ok=True)
    print(f"Starting a throwaway sshd on loopback (keys in a temp dir); store: {WORKDIR}")
    with SshdPeer(port=demo_port()) as peer:
        print(f"sshd is listening on {peer.address}:{peer.port} (pid {peer.pid})")
        inventory = write_inventory(peer)
        known_hosts = WORKDIR / "known_hosts"
        known_hosts.write_text(peer.known_hosts_line() + "\n")
        cmdb("inventory", "check", str(inventory))
        found = cmdb("discover", "-i", str(inventory), "--known-hosts", str(known_hosts),
                     "--json", str(WORKDIR / "last-discovery.json"))
    if found.returncode not in (0, 2):
        print(f"discovery failed (exit {found.returncode})", file=sys.stderr)
        return found.returncode
    cmdb("ci", "list", "--label", "Device")
    listed = cmdb("ci", "list", "--label", "Device", "--json", capture=True)
    devices = json.loads(listed.stdout or "[]")
    if devices:
        cmdb("ci", "show", socket.gethostname() if len(devices) > 1 else devices[0]["uid"])
    cmdb("runs", "--limit", "5")
    print("\nRun ./scripts/demo again to see history: an unchanged machine records no "
          "changes;\n`cmdb ci history <uid>` and `cmdb diff RUN_A RUN_B` show what changed. "
          f"Store: {WORKDIR / 'cmdb.sqlite'}")
    return found.returncode


if __name__ == "__main__":
    sys.exit(main())
