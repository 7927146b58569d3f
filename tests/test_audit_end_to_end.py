"""Real drift on a real host: discover this machine through a real OpenSSH server,
capture and approve a snapshot baseline, change the machine for real (a watched config
file, a Debian package, a listening socket), rediscover and audit. The audit must report
exactly those changes, with expected and actual values taken from the machine itself.

The machine is shared with other test suites whose servers bind ephemeral ports
(32768-60999) at any time; the baseline ignores listening sockets in that range, and the
socket this test opens is below it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.cmdb_command import Cmdb
from tests.test_end_to_end import discover, lab  # noqa: F401 - the shared lab fixture

EPHEMERAL = ["listening_ports.* *:3[2-9][0-9][0-9][0-9]", "listening_ports.* *:[4-5]????",
             "listening_ports.* *:60???"]
PACKAGE = "cmdb-audit-drift-probe"


@pytest.fixture
def probe_package(tmp_path: Path) -> Iterator[Path | None]:
    """A tiny Debian package built here, installed by the test (root and dpkg only)."""
    if os.geteuid() != 0 or shutil.which("dpkg-deb") is None:
        yield None
        return
    root = tmp_path / "pkg"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        f"Package: {PACKAGE}\nVersion: 1.0-1\nArchitecture: all\n"
        "Maintainer: cmdb-auditor tests <tests@cmdb-auditor.invalid>\n"
        "Description: empty package installed by the audit drift test\n")
    deb = tmp_path / f"{PACKAGE}.deb"
    subprocess.run(["dpkg-deb", "--build", str(root), str(deb)], check=True,
                   capture_output=True)
    yield deb
    subprocess.run(["dpkg", "-r", PACKAGE], capture_output=True, check=False)


def _listen_below_ephemeral() -> socket.socket:
    for port in range(24000, 24100):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        sock.listen()
        return sock
    raise RuntimeError("no free port in 24000-24099")


def test_an_audit_reports_exactly_what_changed_on_the_machine(
        lab: dict[str, Path], probe_package: Path | None, tmp_path: Path) -> None:  # noqa: F811
    cmdb = Cmdb(lab["store"], CMDB_AUDIT_DB=str(tmp_path / "audit.sqlite"))
    assert discover(cmdb, lab).returncode == 0
    device = cmdb.json("ci", "list", "--label", "Device")[0]["uid"]
    ignore = [arg for pattern in EPHEMERAL for arg in ("--ignore", pattern)]
    captured = cmdb.json("baseline", "capture", "gold", "--ci", device, *ignore, "--by", "alice")
    assert (captured["status"], captured["cis"]) == ("draft", 1)
    refused = cmdb("baseline", "approve", "gold", "--by", "alice")
    assert refused.returncode == 3 and "author" in refused.stderr
    assert cmdb("baseline", "approve", "gold", "--by", "bob").returncode == 0

    clean = cmdb("audit", "run", "--format", "json", "--fail-on", "low")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert _failing(clean.stdout) == {}

    before = lab["settings"].read_bytes()
    lab["settings"].write_text("# test copy\nPermitRootLogin yes\nPasswordAuthentication no\n")
    after = lab["settings"].read_bytes()
    if probe_package is not None:
        subprocess.run(["dpkg", "-i", str(probe_package)], check=True, capture_output=True)
    listener = _listen_below_ephemeral()
    try:
        assert discover(cmdb, lab).returncode == 0
    finally:
        port = listener.getsockname()[1]
        listener.close()

    drifted = cmdb("audit", "run", "--format", "json", "--fail-on", "medium")
    assert drifted.returncode == 1, drifted.stderr
    path = json.dumps(str(lab["settings"]))
    expected = {
        f"config_files[{path}].settings.permitrootlogin": ("no", "yes"),
        f"config_files[{path}].sha256": (hashlib.sha256(before).hexdigest(),
                                          hashlib.sha256(after).hexdigest()),
        f"config_files[{path}].size": (len(before), len(after)),
    }
    found = _failing(drifted.stdout)
    socket_key = f'listening_ports["tcp 127.0.0.1:{port}"]'
    assert found.pop(socket_key)[0] is None  # not there at capture, there now
    if probe_package is not None:
        package = found.pop(f"packages.{PACKAGE}")
        assert package[0] is None and package[1]["version"] == "1.0-1"
    assert found == expected

    # A waiver with an approver turns that one drift into `waived`; it stays reported.
    check = f"config_files[{path}].settings.permitrootlogin"
    waiver = cmdb.json("waiver", "add", "--rule", check, "--baseline", "gold",
                       "--reason", "lab host", "--requested-by", "carol",
                       "--approved-by", "dave", "--expires", _in_days(30))
    again = json.loads(cmdb("audit", "run", "--format", "json").stdout)
    verdicts = {f["check"]: (f["verdict"], f["waiver"], f["trend"]) for f in again["findings"]}
    assert verdicts[check] == ("waived", waiver["id"], "persisting")
    assert verdicts[f"config_files[{path}].size"][::2] == ("drift", "persisting")
    report = tmp_path / "report.html"
    assert cmdb("audit", "report", "--format", "html", "-o", str(report)).returncode == 0
    assert "PermitRootLogin".lower() in report.read_text()
    verified = cmdb.json("evidence", "verify")
    assert verified["ok"] and verified["checked"] == 3


def _in_days(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def _failing(report_json: str) -> dict[str, tuple[Any, Any]]:
    report = json.loads(report_json)
    return {f["check"]: (f["expected"], f["actual"]) for f in report["findings"]
            if f["verdict"] in ("drift", "error")}
