"""The discovery runner: collectors over targets, concurrently, failures as results.

Each target gets one session and a deadline; each collector runs its declared commands
(only those on the platform's allowlist) and hands the raw outputs to its pure parser.
A target that cannot be reached, a command that fails or hangs, output that does not
parse: each becomes a typed error in that target's result, and the run goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from discovery.errors import (
    CommandError,
    ConfigError,
    ConnectError,
    DiscoveryError,
    DiscoveryTimeout,
    ParseError,
)
from discovery.platforms import get_platform
from discovery.platforms.base import Collector, Command, Platform, is_allowed
from discovery.recording import write_case
from discovery.result import CollectorResult, DiscoveryResult, ErrorInfo, TargetResult
from discovery.transports.base import CommandOutput, Session, Transport
from inventory.model import Inventory, Target


@dataclass(frozen=True)
class RunnerOptions:
    concurrency: int = 8
    target_timeout: float = 120.0  # whole target: connect and every collector
    command_timeout: float = 30.0
    connect_timeout: float = 10.0
    retries: int = 2  # extra connect attempts, on connect errors only
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    record_dir: Path | None = None
    platforms: Mapping[str, Platform] | None = None  # None: the built-in PLATFORMS


OnTargetDone = Callable[[TargetResult], None]


def discover(
    inventory: Inventory,
    transports: Mapping[str, Transport],
    options: RunnerOptions | None = None,
    on_done: OnTargetDone | None = None,
) -> DiscoveryResult:
    """Discover every target of the inventory; never raises for a target's failure."""
    opts = options or RunnerOptions()
    started = datetime.now(UTC)
    results: dict[str, TargetResult] = {}
    with ThreadPoolExecutor(max_workers=max(1, opts.concurrency),
                            thread_name_prefix="discover") as pool:
        futures = {pool.submit(discover_target, t, transports, opts): t
                   for t in inventory.targets}
        for future in as_completed(futures):
            result = future.result()
            results[result.target] = result
            if on_done:
                on_done(result)
    ordered = tuple(results[t.name] for t in inventory.targets)
    return DiscoveryResult(started, datetime.now(UTC), ordered)


def discover_target(target: Target, transports: Mapping[str, Transport],
                    opts: RunnerOptions) -> TargetResult:
    begun = time.monotonic()
    deadline = begun + opts.target_timeout
    try:
        platform = get_platform(target.platform, opts.platforms)
        transport = _transport(target, platform, transports)
        plan = platform.collectors(target)  # before connecting: bad vars fail fast
        session = _connect(transport, target, opts, deadline)
    except DiscoveryError as exc:
        exc.target = target.name
        return TargetResult.unreached(target, exc, time.monotonic() - begun)
    try:
        collectors = tuple(_collect(session, platform, c, target, deadline, opts)
                           for c in plan)
    finally:
        session.close()
    return TargetResult(target.name, target.address, target.platform, target.transport,
                        time.monotonic() - begun, True, None, collectors, target.site,
                        target.role)


# The inventory names the protocol (ssh, snmp); a platform may speak it its own way, as
# the network platforms do through netmiko's CLI handling over SSH.
_PROTOCOL = {"ssh": "ssh", "cli": "ssh", "snmp": "snmp"}


def _transport(target: Target, platform: Platform,
               transports: Mapping[str, Transport]) -> Transport:
    protocol = _PROTOCOL.get(platform.transport, platform.transport)
    if protocol != target.transport:
        raise ConfigError(f"platform {platform.name} is discovered over {protocol}, but "
                          f"the inventory says transport: {target.transport}",
                          target=target.name)
    transport = transports.get(platform.transport)
    if transport is None:
        raise ConfigError(f"no {platform.transport!r} transport configured",
                          target=target.name)
    return transport


def _connect(transport: Transport, target: Target, opts: RunnerOptions,
             deadline: float) -> Session:
    """Retry with backoff, but only when the peer could not be reached: a refused key
    or a changed host key will not get better by asking again."""
    delay = opts.backoff
    for attempt in range(opts.retries + 1):
        try:
            return transport.open(target, min(opts.connect_timeout, _left(deadline)))
        except (ConnectError, DiscoveryTimeout):
            if attempt == opts.retries or _left(deadline) <= delay:
                raise
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def _left(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def _collect(session: Session, platform: Platform, collector: Collector, target: Target,
             deadline: float, opts: RunnerOptions) -> CollectorResult:
    begun = time.monotonic()
    outputs: dict[str, CommandOutput] = {}
    try:
        for command in collector.commands:
            outputs[command.name] = _run(session, platform, command, deadline, opts)
        facts = collector.parse(outputs)
    except DiscoveryError as exc:
        return _failed(collector, begun, exc, target)
    except Exception as exc:  # a parser bug must cost one collector, not the run
        bug = ParseError(f"parser failed unexpectedly: {type(exc).__name__}: {exc}")
        return _failed(collector, begun, bug, target)
    finally:
        if opts.record_dir is not None and outputs:
            write_case(opts.record_dir / target.name / collector.name,
                       collector.for_recording(outputs))
    return CollectorResult(collector.name, collector.source, time.monotonic() - begun, facts)


def _failed(collector: Collector, begun: float, exc: DiscoveryError,
            target: Target) -> CollectorResult:
    exc.target, exc.collector = target.name, collector.name
    return CollectorResult(collector.name, collector.source, time.monotonic() - begun,
                           error=ErrorInfo.of(exc))


def _run(session: Session, platform: Platform, command: Command, deadline: float,
         opts: RunnerOptions) -> CommandOutput:
    output = _run_line(session, platform, command.line, deadline, opts)
    if not output.ok and command.fallback:
        output = _run_line(session, platform, command.fallback, deadline, opts)
    if command.required and not output.ok:
        first_line = (output.stderr.strip().splitlines() or ["no error output"])[0][:200]
        raise CommandError(f"`{output.command}` exited {output.exit_status}: {first_line}")
    return output


def _run_line(session: Session, platform: Platform, line: str, deadline: float,
              opts: RunnerOptions) -> CommandOutput:
    if not is_allowed(platform, line):
        raise CommandError(f"`{line}` refused: not on the {platform.name} read-only allowlist")
    left = _left(deadline)
    if left <= 0:
        raise DiscoveryTimeout(f"target timeout reached before `{line}`")
    return session.run(line, min(opts.command_timeout, left))
