"""SNMP transport: v1, v2c and v3 USM sessions answering a tiny read-only command
language with snmprec lines.

    walk OID [OID ...]   GETBULK walk of each subtree (GETNEXT on v1), all concurrently
    get OID [OID ...]    one GET; noSuchObject/noSuchInstance/endOfMibView are left out

OIDs are numeric without a leading dot. The output is `OID|TAG|VALUE` lines sorted by
OID (`discovery.transports.snmprec`), so platform parsers read a live agent exactly as
they read a recording. A walk of a subtree the agent lacks is empty, not an error; a walk
cut short is an error naming the subtree and what arrived, never a partial success.

Two clients send the requests. v1/v2c sessions use our own: `snmp_v2c` over the strict BER
codec `snmp_ber`, ~20x less CPU per varbind than pyasn1's decoder (bench/README.md).
SNMPv3 (USM auth/priv) uses pysnmp 7 (`snmp_pysnmp`), which also stays the reference
implementation for v1/v2c: a transport built with `client=SnmpClient.PYSNMP`, or a target
with `vars` `snmp_client: pysnmp`, uses it for every version. Both answer the same
`_Requester` interface, and the walk and get logic below is shared.

Both clients are asyncio-based; only the SNMP transport's modules use asyncio, only
`snmp_pysnmp` imports pysnmp. Each session owns an event loop and runs it from the calling
thread (the runner calls a session from one worker thread).

Settings: the transport's constructor gives the defaults; a target may override them with
`vars` keys `snmp_timeout` (seconds per request), `snmp_retries`, `snmp_max_repetitions`
and `snmp_client`. Secrets are resolved at open time and never appear in a message or a
repr (DESIGN §6).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import TracebackType
from typing import Any, Protocol, TypeVar

from discovery.errors import (
    AuthError,
    CommandError,
    ConfigError,
    ConnectError,
    DiscoveryError,
    DiscoveryTimeout,
)
from discovery.transports.base import CommandOutput
from discovery.transports.snmp_ber import BerError, Binding, Missing, Oid, PduType, oid_text
from discovery.transports.snmp_pysnmp import LIBRARY_ERRORS, Indication, PysnmpRequester
from discovery.transports.snmp_v2c import BadAnswer, NoAnswer, V2cClient
from discovery.transports.snmprec import Varbind, encode
from inventory.credentials import SecretError
from inventory.model import SecretRef, SnmpCredentials, SnmpVersion, Target

__all__ = ["SnmpClient", "SnmpOptions", "SnmpSession", "SnmpTransport", "parse_command"]

SecretResolver = Callable[[SecretRef], str]
_T = TypeVar("_T")

SYS_OBJECT_ID_0 = (1, 3, 6, 1, 2, 1, 1, 2, 0)
SNMP_ENGINE_ID_0 = (1, 3, 6, 1, 6, 3, 10, 2, 1, 1, 0)
_OID = re.compile(r"\d+(?:\.\d+)+")
_NO_SUCH_NAME = 2  # SNMPv1 error-status: the v1 way of saying "end of the MIB view"
_TOO_BIG = 1  # an agent that cannot fit max-repetitions rows in one response may say so
# RFC 3416 error-status names, by value.
_STATUS_NAMES = (
    "noError", "tooBig", "noSuchName", "badValue", "readOnly", "genErr", "noAccess",
    "wrongType", "wrongLength", "wrongEncoding", "wrongValue", "noCreation",
    "inconsistentValue", "resourceUnavailable", "commitFailed", "undoFailed",
    "authorizationError", "notWritable", "inconsistentName")
_LIBRARY_ERRORS: tuple[type[Exception], ...] = (*LIBRARY_ERRORS, OSError)
_VARS = {"snmp_timeout": "timeout", "snmp_retries": "retries",
         "snmp_max_repetitions": "max_repetitions"}


class SnmpClient(StrEnum):
    """Who sends v1/v2c requests: our BER codec (default) or pysnmp (the reference).
    SNMPv3 always goes through pysnmp."""

    BUILTIN = "builtin"
    PYSNMP = "pysnmp"


@dataclass(frozen=True)
class SnmpOptions:
    """Per-request `timeout` (s) and `retries`, GETBULK `max_repetitions`, and the
    v1/v2c `client`."""

    timeout: float = 2.0
    retries: int = 1
    # Fewer, larger responses: the cost is per message as well as per varbind
    # (bench/README.md); an agent answering tooBig gets half as many rows per request.
    max_repetitions: int = 100
    client: SnmpClient = SnmpClient.BUILTIN

    def for_target(self, target: Target) -> SnmpOptions:
        """These defaults with the target's `vars` overrides; ConfigError on bad values."""
        opts = replace(self, **_number_vars(target), **_client_var(target))
        if opts.timeout <= 0 or opts.retries < 0 or not 1 <= opts.max_repetitions <= 1000:
            raise ConfigError("SNMP settings out of range: timeout > 0, retries >= 0, "
                              "1 <= max_repetitions <= 1000", target=target.name)
        return opts


def _number_vars(target: Target) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for var, name in _VARS.items():
        value = target.vars.get(var)
        if value is None:
            continue
        number_ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not number_ok or (name != "timeout" and not isinstance(value, int)):
            raise ConfigError(f"vars.{var} must be a number, got {type(value).__name__}",
                              target=target.name)
        changes[name] = value
    return changes


def _client_var(target: Target) -> dict[str, Any]:
    value = target.vars.get("snmp_client")
    if value is None:
        return {}
    if not isinstance(value, str) or value not in tuple(SnmpClient):
        raise ConfigError(f"vars.snmp_client must be one of "
                          f"{', '.join(SnmpClient)}, got {str(value)[:40]!r}",
                          target=target.name)
    return {"client": SnmpClient(value)}


@dataclass(frozen=True)
class SnmpCommand:
    """A parsed command line: `walk` or `get`, and its OIDs as tuples."""

    op: str
    oids: tuple[tuple[int, ...], ...]


def parse_command(line: str, target: str | None = None) -> SnmpCommand:
    """`walk OID...` or `get OID...`; CommandError on anything else."""
    words = line.split()
    if len(words) < 2 or words[0] not in ("walk", "get"):
        raise CommandError(f"not an SNMP command: {line[:120]!r}; expected 'walk OID...' "
                           "or 'get OID...'", target=target)
    bad = [w for w in words[1:] if not _OID.fullmatch(w)]
    if bad:
        raise CommandError(f"{bad[0][:80]!r} in {line[:120]!r} is not a numeric OID "
                           "(digits and dots, no leading dot, no MIB names)", target=target)
    return SnmpCommand(words[0], tuple(tuple(int(a) for a in w.split(".")) for w in words[1:]))


class SnmpTransport:
    """Opens `SnmpSession`s. Holds only settings, so threads may share one instance."""

    def __init__(self, *, resolve_secret: SecretResolver, timeout: float = 2.0,
                 retries: int = 1, max_repetitions: int = 100,
                 client: SnmpClient = SnmpClient.BUILTIN) -> None:
        self._resolve_secret = resolve_secret
        self._options = SnmpOptions(timeout, retries, max_repetitions, SnmpClient(client))

    def open(self, target: Target, timeout: float) -> SnmpSession:
        """Resolve credentials, then GET sysObjectID.0 and snmpEngineID.0 within `timeout`
        s, so that a wrong credential fails here with a typed error."""
        snmp = target.snmp
        if snmp is None:
            raise ConfigError("transport snmp needs the target's snmp: settings",
                              target=target.name)
        options = self._options.for_target(target)
        peer = _Peer(target.name, target.address, snmp.port, snmp, options,
                     _Keys.resolve(snmp, self._resolve_secret, target.name))
        session = SnmpSession(peer)
        try:
            session.check(timeout)
        except BaseException:
            session.close()
            raise
        return session


@dataclass(frozen=True)
class _Keys:
    """Resolved secrets of one target; kept out of every repr."""

    community: str | None = field(default=None, repr=False)
    auth: str | None = field(default=None, repr=False)
    priv: str | None = field(default=None, repr=False)

    @classmethod
    def resolve(cls, snmp: SnmpCredentials, resolver: SecretResolver, target: str) -> _Keys:
        return cls(_secret(resolver, snmp.community, "community", target),
                   _secret(resolver, snmp.auth_key, "auth_key", target),
                   _secret(resolver, snmp.priv_key, "priv_key", target))


def _secret(resolver: SecretResolver, ref: SecretRef | None, what: str,
            target: str) -> str | None:
    if ref is None:
        return None
    try:
        return resolver(ref)
    except SecretError as exc:  # worded by the inventory never to hold the secret
        raise AuthError(f"cannot resolve snmp.{what}: {exc}", target=target) from exc
    except (ValueError, LookupError, OSError) as exc:
        raise AuthError(f"cannot resolve snmp.{what} reference {ref} "
                        f"({type(exc).__name__})", target=target) from exc


@dataclass(frozen=True)
class _Peer:
    """Everything a session needs to talk to one agent."""

    name: str
    address: str
    port: int
    snmp: SnmpCredentials
    options: SnmpOptions
    keys: _Keys

    @property
    def where(self) -> str:
        return f"{self.address}:{self.port}"

    @property
    def v1(self) -> bool:
        return self.snmp.version is SnmpVersion.V1

    @property
    def builtin(self) -> bool:
        """Whether our own v1/v2c client talks to this agent (else pysnmp)."""
        return (self.snmp.version is not SnmpVersion.V3
                and self.options.client is SnmpClient.BUILTIN)

    def who(self) -> str:
        """The credential in words, by reference: never the secret itself."""
        s = self.snmp
        if s.version is SnmpVersion.V3:
            level = "authPriv" if s.priv_key else "authNoPriv" if s.auth_key else "noAuthNoPriv"
            return f"SNMPv3 user {s.user} ({level})"
        return f"SNMPv{s.version.value} community from {s.community}"

    def connect_pysnmp(self) -> Coroutine[Any, Any, PysnmpRequester]:
        k, o = self.keys, self.options
        return PysnmpRequester.connect(self.address, self.port, self.snmp,
                                       community=k.community, auth_key=k.auth,
                                       priv_key=k.priv, timeout=o.timeout, retries=o.retries)


class SnmpSession:
    """One agent, one client, one event loop; not thread-safe (one thread at a time)."""

    def __init__(self, peer: _Peer) -> None:
        self._peer = peer
        self._loop = asyncio.new_event_loop()
        self._agent: _Agent | None = None
        self.sys_object_id: str | None = None
        self.engine_id: bytes | None = None

    def __repr__(self) -> str:
        peer = self._peer
        client = SnmpClient.BUILTIN if peer.builtin else SnmpClient.PYSNMP
        return f"SnmpSession({peer.name}, {peer.where}, {peer.who()}, client {client})"

    def check(self, timeout: float) -> None:
        """Connect the client and GET sysObjectID.0 and snmpEngineID.0."""
        found = self._call(self._check(), timeout, "the first GET (sysObjectID.0)")
        oid, engine_id = found.get(SYS_OBJECT_ID_0), found.get(SNMP_ENGINE_ID_0)
        self.sys_object_id = oid.value if oid and isinstance(oid.value, str) else None
        self.engine_id = engine_id.value if engine_id and isinstance(
            engine_id.value, bytes) else None

    def run(self, command: str, timeout: float) -> CommandOutput:
        """Run one `walk`/`get` line; DiscoveryTimeout past `timeout` seconds."""
        parsed = parse_command(command, self._peer.name)
        if self._agent is None:
            raise ConnectError(f"cannot run {command!r}: session closed", target=self._peer.name)
        agent = self._agent
        if parsed.op == "get":
            found = self._call(agent.get(parsed.oids), timeout, f"{command!r}")
            return CommandOutput(command, encode(found.values()))
        progress = dict.fromkeys(parsed.oids, 0)
        coro = agent.walk_all(parsed.oids, progress)
        varbinds = self._call(coro, timeout, f"{command!r}", progress)
        return CommandOutput(command, encode(varbinds))

    def close(self) -> None:
        if self._loop.is_closed():
            return
        try:
            if self._agent is not None:
                self._agent.requester.close()
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            if pending:
                self._loop.run_until_complete(
                    asyncio.gather(*pending, return_exceptions=True))
            self._loop.run_until_complete(asyncio.sleep(0))  # sockets close on the loop
        finally:
            self._agent = None
            self._loop.close()

    def __enter__(self) -> SnmpSession:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    async def _check(self) -> dict[Oid, Varbind]:
        peer = self._peer
        try:
            connect = _builtin(peer) if peer.builtin else peer.connect_pysnmp()
            requester: _Requester = await connect
        except _LIBRARY_ERRORS as exc:
            raise ConnectError(f"cannot use address {peer.where}: {exc}",
                               target=peer.name) from exc
        self._agent = _Agent(peer, requester)
        return await self._agent.get((SYS_OBJECT_ID_0, SNMP_ENGINE_ID_0), opening=True)

    def _call(self, coro: Coroutine[Any, Any, _T], timeout: float, what: str,
              progress: Mapping[Oid, int] | None = None) -> _T:
        """Run `coro` on this session's loop; library errors become typed ones."""
        if self._loop.is_closed():
            coro.close()
            raise ConnectError(f"cannot run {what}: session closed", target=self._peer.name)
        try:
            return self._loop.run_until_complete(asyncio.wait_for(coro, timeout))
        except TimeoutError as exc:
            raise DiscoveryTimeout(f"{what} did not finish within {timeout:g} s"
                                   f"{_progress(progress)}", target=self._peer.name) from exc
        except DiscoveryError:
            raise
        except _LIBRARY_ERRORS as exc:
            raise CommandError(f"{what} failed in the SNMP library: "
                               f"{type(exc).__name__}: {exc}", target=self._peer.name) from exc


def _progress(progress: Mapping[Oid, int] | None) -> str:
    if not progress:
        return ""
    done = ", ".join(f"{oid_text(root)}: {n}" for root, n in progress.items())
    return f" (varbinds received per subtree: {done})"


# -- the shared walk and get logic -------------------------------------------------------------

class _Reply(Protocol):
    """A Response PDU: error-status, error-index and the varbinds."""

    @property
    def error_status(self) -> int: ...
    @property
    def error_index(self) -> int: ...
    @property
    def bindings(self) -> Sequence[Binding]: ...


class _Requester(Protocol):
    """Sends one request and returns its Response; raises NoAnswer after every try went
    unanswered, BadAnswer for what is not a valid answer, Indication for pysnmp's other
    error indications, BerError for a request that cannot be encoded."""

    async def request(self, pdu: PduType, oids: Sequence[Oid],
                      max_repetitions: int) -> _Reply: ...

    def close(self) -> None: ...


class _Agent:
    """The async side: walks and gets against one agent through one requester."""

    def __init__(self, peer: _Peer, requester: _Requester) -> None:
        self.peer = peer
        self.requester = requester
        self._repetitions = peer.options.max_repetitions

    async def get(self, oids: Sequence[Oid], opening: bool = False) -> dict[Oid, Varbind]:
        """One GET; instances the agent lacks are left out. SNMPv1 reports a missing one
        as a noSuchName error: drop it and ask again for the rest."""
        wanted = list(dict.fromkeys(oids))
        while wanted:
            what = f"GET {oid_text(wanted[0])}"
            reply = await self._ask(PduType.GET, wanted, what, None, opening)
            if reply.error_status == _NO_SUCH_NAME and self.peer.v1:
                if not 1 <= reply.error_index <= len(wanted):
                    raise self._status(reply, f"GET of {len(wanted)} OID(s)")
                del wanted[reply.error_index - 1]
                continue
            if reply.error_status:
                raise self._status(reply, f"GET of {len(wanted)} OID(s)")
            found = ((b.oid, _varbind(b)) for b in reply.bindings)
            return {oid: vb for oid, vb in found if vb is not None}
        return {}

    async def walk_all(self, roots: Sequence[Oid], progress: dict[Oid, int]) -> list[Varbind]:
        """Walk each subtree concurrently; the first failure cancels the others."""
        tasks = [asyncio.ensure_future(self.walk(root, progress)) for root in roots]
        try:
            walks = await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                if task.done() and not task.cancelled():
                    task.exception()  # the first one is raised; the rest need no log line
                task.cancel()
        unique = {vb.oid: vb for walk in walks for vb in walk}  # subtrees may overlap
        return list(unique.values())

    async def walk(self, root: Oid, progress: dict[Oid, int]) -> list[Varbind]:
        out: list[Varbind] = []
        last: Oid = root
        depth = len(root)
        while True:
            answer = await self._next_rows(root, last, len(out))
            if not answer:
                return out
            for binding in answer:
                oid, kind = binding.oid, binding.kind
                if oid[:depth] != root or kind is Missing.END_OF_MIB_VIEW:
                    return out
                if oid <= last:
                    raise CommandError(f"walk of {oid_text(root)}: the agent returned "
                                       f"{oid_text(oid)} after {oid_text(last)} (OID not "
                                       f"increasing) after {len(out)} varbinds",
                                       target=self.peer.name)
                varbind = _varbind(binding)
                if varbind is not None:
                    out.append(varbind)
                last = oid
            progress[root] = len(out)

    async def _next_rows(self, root: Oid, last: Oid, received: int) -> Sequence[Binding]:
        """The varbinds after `last`: GETBULK, or GETNEXT on SNMPv1 (no GETBULK there)."""
        pdu = PduType.GET_NEXT if self.peer.v1 else PduType.GET_BULK
        what = f"walk of {oid_text(root)}"
        reply = await self._ask(pdu, (last,), what, received)
        while reply.error_status == _TOO_BIG and self._repetitions > 1:
            self._repetitions //= 2
            reply = await self._ask(pdu, (last,), what, received)
        if reply.error_status == _NO_SUCH_NAME and self.peer.v1:
            return ()
        if reply.error_status:
            raise self._status(reply, f"{what} after {received} varbinds")
        return reply.bindings

    async def _ask(self, pdu: PduType, oids: Sequence[Oid], what: str, received: int | None,
                   opening: bool = False) -> _Reply:
        """One request; every failure becomes a typed error naming `what`."""
        peer = self.peer
        try:
            return await self.requester.request(pdu, oids, self._repetitions)
        except NoAnswer:
            raise self._no_answer(what, received) from None
        except BadAnswer as exc:
            raise CommandError(f"{what} at {peer.where} failed: {exc}",
                               target=peer.name) from None
        except BerError as exc:
            raise CommandError(f"{what}: cannot encode the request: {exc}",
                               target=peer.name) from None
        except Indication as exc:
            raise exc.error(what, peer.where, peer.who(), peer.name, opening) from None

    def _no_answer(self, what: str, received: int | None) -> DiscoveryTimeout:
        peer = self.peer
        tries = peer.options.retries + 1
        waited = f"no answer from {peer.where} to {what} within " \
                 f"{peer.options.timeout:g} s x {tries} tries"
        if received is not None:
            return DiscoveryTimeout(
                f"{waited}: the agent stopped answering after {received} varbinds of "
                "this subtree; the walk is incomplete", target=peer.name)
        priv = "; a wrong privacy key or protocol gets silence too (the agent cannot " \
               "decrypt the request)" if peer.snmp.priv_key else ""
        return DiscoveryTimeout(f"{waited} ({peer.who()}). SNMP agents answer a wrong "
                                "community or an unknown SNMPv3 user with silence, so "
                                "either the credential is wrong or the agent is "
                                f"unreachable (address, port, firewall){priv}",
                                target=peer.name)

    def _status(self, reply: _Reply, what: str) -> CommandError:
        status = reply.error_status
        name = _STATUS_NAMES[status] if 0 <= status < len(_STATUS_NAMES) else str(status)
        return CommandError(f"{what}: the agent answered {name} (error index {reply.error_index})",
                            target=self.peer.name)


def _varbind(binding: Binding) -> Varbind | None:
    """The snmprec varbind, or None for noSuchObject/noSuchInstance/endOfMibView."""
    if isinstance(binding.kind, Missing):
        return None
    return Varbind(oid_text(binding.oid), binding.kind, binding.value)


# -- the requesters ----------------------------------------------------------------------------

class _Builtin:
    """Our v1/v2c client (`snmp_v2c`) as a requester."""

    def __init__(self, client: V2cClient) -> None:
        self._client = client

    async def request(self, pdu: PduType, oids: Sequence[Oid],
                      max_repetitions: int) -> _Reply:
        repetitions = max_repetitions if pdu is PduType.GET_BULK else 0
        return await self._client.request(pdu, oids, repetitions)

    def close(self) -> None:
        self._client.close()


async def _builtin(peer: _Peer) -> _Builtin:
    # UTF-8, as net-snmp's tools send a community typed on a UTF-8 command line.
    community = (peer.keys.community or "").encode("utf-8")
    client = await V2cClient.connect(peer.address, peer.port, version=0 if peer.v1 else 1,
                                     community=community, timeout=peer.options.timeout,
                                     retries=peer.options.retries)
    return _Builtin(client)

