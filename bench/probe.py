"""What the benchmark reads about the machine and the processes it runs."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def python_peak_rss_mib() -> float:
    """Peak RSS of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_mib(pid: int) -> float | None:
    """VmHWM (peak RSS) of another process, e.g. the Neo4j JVM; None if it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def tree_size_mib(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 2**20


def machine() -> dict[str, Any]:
    mem_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": round(mem_kib / 2**20, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "java": _first_line(["java", "-version"]),
        "commit": _first_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
        # Others edit the tree while we measure: say whether the store code was modified.
        "cmdb_modified": bool(_first_line(["git", "--no-optional-locks", "-C", str(ROOT),
                                           "status", "--porcelain", "--", "cmdb"])),
    }


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def _first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else ""


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads), e.g. the Neo4j JVM."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime


def machine_busy_seconds() -> tuple[float, float]:
    """CPU seconds the whole machine spent busy (all processes), and stolen by the
    hypervisor: with our own CPU, this tells whether someone else was using the cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq) / _TICK, steal / _TICK


@dataclass
class Cpu:
    """CPU seconds spent while the clock ran: ours (Python, JVM) and everyone else's."""

    python: float = 0.0
    server: float = 0.0
    others: float = 0.0
    stolen: float = 0.0


class Meter:
    """Accumulates CPU use over the timed sections only."""

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self.cpu = Cpu()
        self._mark: tuple[float, float, float, float] | None = None

    def _read(self) -> tuple[float, float, float, float]:
        busy, steal = machine_busy_seconds()
        server = cpu_seconds(self.server_pid) if self.server_pid else 0.0
        return time.process_time(), server, busy, steal

    def start(self) -> None:
        self._mark = self._read()

    def stop(self) -> None:
        assert self._mark is not None, "stop() before start()"
        py0, jvm0, busy0, steal0 = self._mark
        py1, jvm1, busy1, steal1 = self._read()
        self.cpu.python += py1 - py0
        self.cpu.server += jvm1 - jvm0
        self.cpu.others += max(0.0, (busy1 - busy0) - (py1 - py0) - (jvm1 - jvm0))
        self.cpu.stolen += steal1 - steal0
        self._mark = None
