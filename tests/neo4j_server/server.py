"""A real Neo4j 5.26 server (embedded Community, Bolt only, 127.0.0.1) for tests.

`Neo4jServer.build()` runs Maven on this directory's pom.xml once (see README.md);
`start()` runs the launcher jar in its own JVM on a data directory and returns the Bolt
URI once the launcher prints `NEO4J_READY bolt://127.0.0.1:PORT`. The server is stopped
by PID: SIGTERM (clean shutdown), or SIGKILL for crash tests; `restart()` reuses the data
directory and port, and Neo4j recovers committed transactions from its transaction log.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import NoReturn

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
SOURCES = HERE / "src"
TARGET = HERE / "target"
JAR = TARGET / "neo4j-test-server.jar"
BUILD_LOG = TARGET / "maven-build.log"
# Touched after a successful build: Maven does not rewrite an unchanged jar, so the jar's
# own mtime cannot say whether the build is newer than the sources.
_BUILD_STAMP = TARGET / ".built"
_BUILD_LOCK = TARGET / ".build.lock"

PASSWORD_ENV = "NEO4J_TEST_PASSWORD"  # read by the launcher; keeps the password off argv
USER = "neo4j"
INSTALL_HINT = "apt-get install default-jdk-headless maven"

_READY = re.compile(r"^NEO4J_READY (bolt://127\.0\.0\.1:(\d+))$", re.MULTILINE)
_BUILD_TIMEOUT = 900.0  # a cold ~/.m2 downloads ~170 MB
_START_TIMEOUT = 180.0  # ~7 s warm here; first start on a slow CI disk can take far longer
_STOP_TIMEOUT = 30.0
_LOG_TAIL_LINES = 40


class Neo4jServerError(RuntimeError):
    """Build or start failed; the message carries the tail of the relevant log."""


def missing_tools() -> list[str]:
    """Commands the server still needs: java always, mvn only while the jar is stale."""
    missing = [] if shutil.which("java") else ["java"]
    if not is_built() and not shutil.which("mvn"):
        missing.append("mvn")
    return missing


def is_built() -> bool:
    """True when the last successful build is newer than pom.xml and every source file."""
    if not (_BUILD_STAMP.exists() and JAR.exists()):
        return False
    built = _BUILD_STAMP.stat().st_mtime
    inputs = [POM, *(p for p in SOURCES.rglob("*") if p.is_file())]
    return all(p.stat().st_mtime < built for p in inputs)


def build() -> Path:
    """Build the launcher jar unless it is up to date; returns the jar path."""
    TARGET.mkdir(exist_ok=True)
    with _exclusive(_BUILD_LOCK):  # parallel test workers share one build
        if not is_built():
            _run_maven()
    return JAR


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run_maven() -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Neo4jServerError(f"mvn not found; install it with: {INSTALL_HINT}")
    with BUILD_LOG.open("w", encoding="utf-8") as log:
        try:
            result = subprocess.run(
                [mvn, "-q", "-B", "-Dstyle.color=never", "-f", str(POM), "package"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                timeout=_BUILD_TIMEOUT, check=False,
            )
        except subprocess.TimeoutExpired:
            raise Neo4jServerError(_with_log("Maven build timed out", BUILD_LOG)) from None
    if result.returncode != 0 or not JAR.exists():
        raise Neo4jServerError(_with_log(f"Maven build failed ({result.returncode})", BUILD_LOG))
    _BUILD_STAMP.touch()


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"({path}: {exc.strerror})"
    return "\n".join(text.splitlines()[-lines:])


def _with_log(message: str, *logs: Path) -> str:
    parts = [message]
    for log in logs:
        parts.append(f"--- last lines of {log}:\n{_tail(log)}")
    return "\n".join(parts)


class Neo4jServer:
    """One Neo4j JVM on 127.0.0.1; start it again on the same data dir after stop/kill."""

    def __init__(self, start_timeout: float = _START_TIMEOUT) -> None:
        self.start_timeout = start_timeout
        self.data_dir: Path | None = None
        self.password: str | None = None
        self.page_cache = "256m"
        self.heap = "1g"
        self._port: int | None = None
        self._uri: str | None = None
        self._process: subprocess.Popen[bytes] | None = None

    # -- lifecycle --------------------------------------------------------------------

    def build(self) -> Path:
        """Build the launcher jar unless it is up to date (see module `build`)."""
        return build()

    def start(self, data_dir: Path, port: int | None = None, password: str | None = None,
              heap: str = "1g", page_cache: str = "256m") -> str:
        """Start on `data_dir` (Neo4j home; created if missing) and return the Bolt URI.

        `port=None` lets the server bind a free port itself (no probe-then-bind race);
        `password=None` disables auth, otherwise the user is `neo4j`. `page_cache` is
        Neo4j's own store cache: small for tests, as large as the store for benchmarks.
        """
        if self.running:
            raise Neo4jServerError(f"already running at {self._uri}")
        self.build()
        self.data_dir = Path(data_dir).resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.password, self.heap, self.page_cache = password, heap, page_cache
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self._process = self._spawn(port)
        self._uri, self._port = self._await_ready(offset)
        return self._uri

    def stop(self) -> None:
        """Clean shutdown (SIGTERM: Neo4j checkpoints); SIGKILL if it hangs."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._forget_process()

    def kill(self) -> None:
        """SIGKILL, as a crash: no checkpoint, recovery happens on the next start."""
        process = self._process
        if process is None:
            return
        process.kill()
        process.wait()
        self._forget_process()

    def restart(self) -> str:
        """Stop if running, then start on the same data dir, port, password and heap."""
        if self.data_dir is None:
            raise Neo4jServerError("restart() before start()")
        self.stop()
        return self.start(self.data_dir, self._port, self.password, self.heap, self.page_cache)

    def __enter__(self) -> Neo4jServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- properties -------------------------------------------------------------------

    @property
    def uri(self) -> str:
        if self._uri is None:
            raise Neo4jServerError("not started")
        return self._uri

    @property
    def port(self) -> int:
        if self._port is None:
            raise Neo4jServerError("not started")
        return self._port

    @property
    def auth(self) -> tuple[str, str] | None:
        """What the Python driver's `auth=` wants for this server."""
        return (USER, self.password) if self.password else None

    @property
    def log_path(self) -> Path:
        """The launcher's stdout+stderr (appended across restarts); Neo4j's own
        debug.log is under `data_dir/logs/`."""
        if self.data_dir is None:
            raise Neo4jServerError("not started")
        return self.data_dir / "server.log"

    @property
    def debug_log_path(self) -> Path:
        if self.data_dir is None:
            raise Neo4jServerError("not started")
        return self.data_dir / "logs" / "debug.log"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    # -- internals --------------------------------------------------------------------

    def _command(self, port: int | None) -> list[str]:
        java = shutil.which("java")
        if java is None:
            raise Neo4jServerError(f"java not found; install it with: {INSTALL_HINT}")
        assert self.data_dir is not None
        return [
            java, f"-Xmx{self.heap}",
            "-XX:+ExitOnOutOfMemoryError",  # a dead server is clearer than a wedged one
            "-jar", str(JAR),
            "--home", str(self.data_dir),
            "--port", str(port or 0),
            "--page-cache", self.page_cache,
            "--exit-on-stdin-eof",  # if pytest dies, its pipe closes and the JVM goes too
        ]

    def _spawn(self, port: int | None) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env.pop(PASSWORD_ENV, None)
        if self.password:
            env[PASSWORD_ENV] = self.password
        with self.log_path.open("ab") as log:
            return subprocess.Popen(
                self._command(port), stdin=subprocess.PIPE, stdout=log,
                stderr=subprocess.STDOUT, env=env, cwd=self.data_dir,
                start_new_session=True,  # Ctrl-C in the terminal is pytest's to handle
            )

    def _await_ready(self, offset: int) -> tuple[str, int]:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            match = _READY.search(self._log_since(offset))
            if match:
                return match.group(1), int(match.group(2))
            if not self.running:
                self._fail_start("exited during start-up")
            time.sleep(0.1)
        self._fail_start(f"not ready after {self.start_timeout:.0f} s")

    def _log_since(self, offset: int) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", errors="replace")

    def _fail_start(self, why: str) -> NoReturn:
        code = self._process.poll() if self._process is not None else None
        self.kill()
        raise Neo4jServerError(_with_log(
            f"Neo4j on {self.data_dir} {why} (exit code {code})",
            self.log_path, self.debug_log_path,
        ))

    def _forget_process(self) -> None:
        assert self._process is not None
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process = None
