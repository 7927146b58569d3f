"""SNMP transport (pysnmp 7): v1, v2c and v3 USM sessions answering a tiny read-only
command language with snmprec lines.

    walk OID [OID ...]   GETBULK walk of each subtree (GETNEXT on v1), all concurrently
    get OID [OID ...]    one GET; noSuchObject/noSuchInstance/endOfMibView are left out

OIDs are numeric without a leading dot. The output is `OID|TAG|VALUE` lines sorted by
OID (`discovery.transports.snmprec`), so platform parsers read a live agent exactly as
they read a recording. A walk of a subtree the agent lacks is empty, not an error; a walk
cut short is an error naming the subtree and what arrived, never a partial success.

pysnmp 7 is asyncio-only; this module is the only one that imports asyncio or pysnmp.
Each session owns an event loop and an SNMP engine and runs them from the calling thread
(the runner calls a session from one worker thread). No MIB is loaded on the hot path
(`lookupMib=False`); OCTET STRINGs are taken as bytes.

Settings: the transport's constructor gives the defaults; a target may override them with
`vars` keys `snmp_timeout` (seconds per request), `snmp_retries` and
`snmp_max_repetitions`. Secrets are resolved at open time and never appear in a message
or a repr (DESIGN §6).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any, TypeVar

# pysnmp and pyasn1 ship no type information: their values are checked where they enter.
from pyasn1.error import PyAsn1Error
from pysnmp.entity.engine import SnmpEngine
from pysnmp.entity.rfc3413 import cmdgen
from pysnmp.error import PySnmpError
from pysnmp.hlapi.v3arch.asyncio import CommunityData, UdpTransportTarget, UsmUserData
from pysnmp.hlapi.v3arch.asyncio import auth as usm
from pysnmp.hlapi.v3arch.asyncio.lcd import CommandGeneratorLcdConfigurator
from pysnmp.proto import errind, rfc1902, rfc1905
from pysnmp.proto.rfc1902 import ObjectName

from discovery.errors import (
    AuthError,
    CommandError,
    ConfigError,
    ConnectError,
    DiscoveryError,
    DiscoveryTimeout,
)
from discovery.transports.base import CommandOutput
from discovery.transports.snmprec import Tag, Value, Varbind, encode
from inventory.credentials import SecretError
from inventory.model import (
    SecretRef,
    SnmpAuthProtocol,
    SnmpCredentials,
    SnmpPrivProtocol,
    SnmpVersion,
    Target,
)

__all__ = ["SnmpOptions", "SnmpSession", "SnmpTransport", "parse_command"]

SecretResolver = Callable[[SecretRef], str]
_T = TypeVar("_T")

SYS_OBJECT_ID_0 = (1, 3, 6, 1, 2, 1, 1, 2, 0)
SNMP_ENGINE_ID_0 = (1, 3, 6, 1, 6, 3, 10, 2, 1, 1, 0)
_OID = re.compile(r"\d+(?:\.\d+)+")
_NO_SUCH_NAME = 2  # SNMPv1 error-status: the v1 way of saying "end of the MIB view"
_TOO_BIG = 1  # an agent that cannot fit max-repetitions rows in one response may say so
_NULL = rfc1902.Null("")
# The command generators below pysnmp's hlapi: the hlapi resolves every request OID
# through a MIB view, which costs a pysmi parser build (~1.5 s) per engine.
_GET = cmdgen.GetCommandGenerator()
_NEXT = cmdgen.NextCommandGeneratorSingleRun()
_BULK = cmdgen.BulkCommandGeneratorSingleRun()
_LCD = CommandGeneratorLcdConfigurator()
_VARS = {"snmp_timeout": "timeout", "snmp_retries": "retries",
         "snmp_max_repetitions": "max_repetitions"}

_AUTH = {
    SnmpAuthProtocol.MD5: usm.USM_AUTH_HMAC96_MD5,
    SnmpAuthProtocol.SHA: usm.USM_AUTH_HMAC96_SHA,
    SnmpAuthProtocol.SHA224: usm.USM_AUTH_HMAC128_SHA224,
    SnmpAuthProtocol.SHA256: usm.USM_AUTH_HMAC192_SHA256,
    SnmpAuthProtocol.SHA384: usm.USM_AUTH_HMAC256_SHA384,
    SnmpAuthProtocol.SHA512: usm.USM_AUTH_HMAC384_SHA512,
}
_PRIV = {
    SnmpPrivProtocol.DES: usm.USM_PRIV_CBC56_DES,
    SnmpPrivProtocol.AES128: usm.USM_PRIV_CFB128_AES,
    SnmpPrivProtocol.AES192: usm.USM_PRIV_CFB192_AES_BLUMENTHAL,
    SnmpPrivProtocol.AES256: usm.USM_PRIV_CFB256_AES_BLUMENTHAL,
    SnmpPrivProtocol.AES192_CISCO: usm.USM_PRIV_CFB192_AES,
    SnmpPrivProtocol.AES256_CISCO: usm.USM_PRIV_CFB256_AES,
}
# The agent reported our credentials wrong (a Report PDU), or they cannot work at all.
_AUTH_FAILURES: Mapping[type[errind.ErrorIndication], str] = {
    errind.UnknownUserName: "the agent does not know this SNMPv3 user",
    errind.WrongDigest: "wrong SNMPv3 authentication key or protocol (the agent "
                        "reported a wrong digest)",
    errind.DecryptionError: "wrong SNMPv3 privacy key or protocol (the agent could not "
                            "decrypt the request)",
    errind.UnsupportedSecurityLevel: "the agent does not accept this security level for "
                                     "the user (e.g. authPriv configured, authNoPriv sent)",
    errind.AuthenticationFailure: "the agent's answer failed authentication",
    errind.AuthenticationError: "SNMPv3 authentication failed",
    errind.UnknownCommunityName: "the agent refused the community",
    errind.UnknownSecurityName: "unknown security name",
    errind.NotInTimeWindow: "the agent kept reporting the request outside its time window",
}


@dataclass(frozen=True)
class SnmpOptions:
    """Per-request `timeout` (s) and `retries`, and GETBULK `max_repetitions`."""

    timeout: float = 2.0
    retries: int = 1
    # Fewer, larger responses: pysnmp's cost is per message as well as per varbind
    # (bench/README.md); an agent answering tooBig gets half as many rows per request.
    max_repetitions: int = 100

    def for_target(self, target: Target) -> SnmpOptions:
        """These defaults with the target's `vars` overrides; ConfigError on bad values."""
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
        opts = replace(self, **changes)
        if opts.timeout <= 0 or opts.retries < 0 or not 1 <= opts.max_repetitions <= 1000:
            raise ConfigError("SNMP settings out of range: timeout > 0, retries >= 0, "
                              "1 <= max_repetitions <= 1000", target=target.name)
        return opts


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
                 retries: int = 1, max_repetitions: int = 100) -> None:
        self._resolve_secret = resolve_secret
        self._options = SnmpOptions(timeout, retries, max_repetitions)

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

    def who(self) -> str:
        """The credential in words, by reference: never the secret itself."""
        s = self.snmp
        if s.version is SnmpVersion.V3:
            level = "authPriv" if s.priv_key else "authNoPriv" if s.auth_key else "noAuthNoPriv"
            return f"SNMPv3 user {s.user} ({level})"
        return f"SNMPv{s.version.value} community from {s.community}"

    def auth_data(self) -> CommunityData | UsmUserData:
        s, k = self.snmp, self.keys
        if s.version is not SnmpVersion.V3:
            return CommunityData(k.community, mpModel=0 if s.version is SnmpVersion.V1 else 1)
        return UsmUserData(
            s.user, authKey=k.auth, privKey=k.priv,
            authProtocol=_AUTH[s.auth_protocol] if s.auth_protocol else usm.USM_AUTH_NONE,
            privProtocol=_PRIV[s.priv_protocol] if s.priv_protocol else usm.USM_PRIV_NONE)


class SnmpSession:
    """One agent, one SNMP engine, one event loop; not thread-safe (one thread at a time)."""

    def __init__(self, peer: _Peer) -> None:
        self._peer = peer
        self._loop = asyncio.new_event_loop()
        self._agent: _Agent | None = None
        self.sys_object_id: str | None = None
        self.engine_id: bytes | None = None

    def __repr__(self) -> str:
        return f"SnmpSession({self._peer.name}, {self._peer.where}, {self._peer.who()})"

    def check(self, timeout: float) -> None:
        """Connect the engine and GET sysObjectID.0 and snmpEngineID.0."""
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
                self._agent.engine.close_dispatcher()
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            if pending:
                self._loop.run_until_complete(
                    asyncio.gather(*pending, return_exceptions=True))
        finally:
            self._agent = None
            self._loop.close()

    def __enter__(self) -> SnmpSession:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    async def _check(self) -> dict[tuple[int, ...], Varbind]:
        peer = self._peer
        try:
            udp = await UdpTransportTarget.create(
                (peer.address, peer.port), timeout=peer.options.timeout,
                retries=peer.options.retries)
        except PySnmpError as exc:
            raise ConnectError(f"cannot use address {peer.where}: {exc}",
                               target=peer.name) from exc
        self._agent = _Agent(peer, SnmpEngine(), udp)
        return await self._agent.get((SYS_OBJECT_ID_0, SNMP_ENGINE_ID_0), opening=True)

    def _call(self, coro: Coroutine[Any, Any, _T], timeout: float, what: str,
              progress: Mapping[tuple[int, ...], int] | None = None) -> _T:
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
        except (PySnmpError, PyAsn1Error, OSError) as exc:
            raise CommandError(f"{what} failed in the SNMP library: "
                               f"{type(exc).__name__}: {exc}", target=self._peer.name) from exc


def _progress(progress: Mapping[tuple[int, ...], int] | None) -> str:
    if not progress:
        return ""
    done = ", ".join(f"{_dotted(root)}: {n}" for root, n in progress.items())
    return f" (varbinds received per subtree: {done})"


def _dotted(oid: Sequence[int]) -> str:
    return ".".join(map(str, oid))


class _Agent:
    """The async side: requests to one agent through one engine."""

    def __init__(self, peer: _Peer, engine: SnmpEngine, udp: UdpTransportTarget) -> None:
        self.peer = peer
        self.engine = engine
        self._context = (peer.snmp.context or "").encode("utf-8")
        self._repetitions = peer.options.max_repetitions
        self._target, _ = _LCD.configure(engine, peer.auth_data(), udp, self._context)

    async def _request(self, oids: Sequence[tuple[int, ...]], bulk: bool = False,
                       ) -> tuple[Any, Any, Any, Sequence[tuple[ObjectName, Any]]]:
        """One GET (or GETNEXT/GETBULK): (error indication, status, index, varbinds)."""
        future: asyncio.Future[tuple[Any, Any, Any, Any]] = (
            asyncio.get_running_loop().create_future())

        def done(engine: SnmpEngine, handle: int, ind: Any, status: Any, index: Any,
                 varbinds: Any, ctx: Any) -> None:
            if not future.done():  # a cancelled wait leaves its future done
                future.set_result((ind, status, index, varbinds))

        request = [(ObjectName(oid), _NULL) for oid in oids]
        if not bulk:
            _GET.send_varbinds(self.engine, self._target, None, self._context, request, done)
        elif self.peer.snmp.version is SnmpVersion.V1:  # no GETBULK in v1: GETNEXT
            _NEXT.send_varbinds(self.engine, self._target, None, self._context, request, done)
        else:
            _BULK.send_varbinds(self.engine, self._target, None, self._context, 0,
                                self._repetitions, request, done)
        return await future

    async def get(self, oids: Sequence[tuple[int, ...]],
                  opening: bool = False) -> dict[tuple[int, ...], Varbind]:
        """One GET; instances the agent lacks are left out. SNMPv1 reports a missing one
        as a noSuchName error: drop it and ask again for the rest."""
        wanted = list(dict.fromkeys(oids))
        while wanted:
            ind, status, index, answer = await self._request(wanted)
            if ind:
                raise self._indication(ind, f"GET {_dotted(wanted[0])}", None, opening)
            if int(status) == _NO_SUCH_NAME and self.peer.snmp.version is SnmpVersion.V1:
                del wanted[int(index) - 1]
                continue
            if status:
                raise self._status(status, index, f"GET of {len(wanted)} OID(s)")
            found = (_varbind(name, value) for name, value in answer)
            return {tuple(int(a) for a in vb.oid.split(".")): vb for vb in found if vb}
        return {}

    async def walk_all(self, roots: Sequence[tuple[int, ...]],
                       progress: dict[tuple[int, ...], int]) -> list[Varbind]:
        """Walk each subtree concurrently; the first failure cancels the others."""
        tasks = [asyncio.ensure_future(self.walk(root, progress)) for root in roots]
        try:
            walks = await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
        unique = {vb.oid: vb for walk in walks for vb in walk}  # subtrees may overlap
        return list(unique.values())

    async def walk(self, root: tuple[int, ...],
                   progress: dict[tuple[int, ...], int]) -> list[Varbind]:
        out: list[Varbind] = []
        last: tuple[int, ...] = root
        depth = len(root)
        while True:
            answer = await self._next_rows(root, last, len(out))
            if not answer:
                return out
            for name, value in answer:
                oid = name.asTuple()
                if oid[:depth] != root or isinstance(value, rfc1905.EndOfMibView):
                    return out
                if oid <= last:
                    raise CommandError(f"walk of {_dotted(root)}: the agent returned "
                                       f"{_dotted(oid)} after {_dotted(last)} (OID not "
                                       f"increasing) after {len(out)} varbinds",
                                       target=self.peer.name)
                vb = _varbind(name, value)
                if vb is not None:
                    out.append(vb)
                last = oid
            progress[root] = len(out)

    async def _next_rows(self, root: tuple[int, ...], last: tuple[int, ...],
                         received: int) -> Sequence[tuple[ObjectName, Any]]:
        """The varbinds after `last`: GETBULK, or GETNEXT on SNMPv1 (no GETBULK there)."""
        ind, status, index, answer = await self._request((last,), bulk=True)
        what = f"walk of {_dotted(root)}"
        if ind:
            raise self._indication(ind, what, received, opening=False)
        while int(status) == _TOO_BIG and self._repetitions > 1:
            self._repetitions //= 2
            ind, status, index, answer = await self._request((last,), bulk=True)
            if ind:
                raise self._indication(ind, what, received, opening=False)
        if int(status) == _NO_SUCH_NAME and self.peer.snmp.version is SnmpVersion.V1:
            return ()
        if status:
            raise self._status(status, index, f"{what} after {received} varbinds")
        rows: Sequence[tuple[ObjectName, Any]] = answer
        return rows

    def _indication(self, ind: object, what: str, received: int | None,
                    opening: bool) -> DiscoveryError:
        peer = self.peer
        if isinstance(ind, errind.RequestTimedOut):
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
        for kind, why in _AUTH_FAILURES.items():
            if isinstance(ind, kind):
                return AuthError(f"{why}: {peer.who()} at {peer.where}", target=peer.name)
        if isinstance(ind, errind.UnsupportedAuthProtocol | errind.UnsupportedPrivProtocol):
            return ConfigError(f"{ind} ({peer.who()})", target=peer.name)
        error = ConnectError if opening else CommandError
        return error(f"{what} at {peer.where} failed: {ind}", target=peer.name)

    def _status(self, status: Any, index: Any, what: str) -> CommandError:
        return CommandError(f"{what}: the agent answered {status.prettyPrint()} "
                            f"(error index {int(index)})", target=self.peer.name)


# -- values --------------------------------------------------------------------------------

def _octets(value: Any) -> Value:
    raw: bytes = value.asOctets()
    return raw


def _ip(value: Any) -> Value:
    return ".".join(map(str, value.asNumbers()))


def _oid(value: Any) -> Value:
    return _dotted(value.asTuple())


def _null(value: Any) -> Value:
    return None


_CONVERT: Mapping[Any, tuple[Tag, Callable[[Any], Value]]] = {
    rfc1902.Integer32.tagSet: (Tag.INTEGER, int),
    rfc1902.OctetString.tagSet: (Tag.OCTET_STRING, _octets),
    rfc1902.Null.tagSet: (Tag.NULL, _null),
    rfc1902.ObjectName.tagSet: (Tag.OBJECT_IDENTIFIER, _oid),
    rfc1902.IpAddress.tagSet: (Tag.IP_ADDRESS, _ip),
    rfc1902.Counter32.tagSet: (Tag.COUNTER32, int),
    rfc1902.Gauge32.tagSet: (Tag.GAUGE32, int),
    rfc1902.TimeTicks.tagSet: (Tag.TIMETICKS, int),
    rfc1902.Opaque.tagSet: (Tag.OPAQUE, _octets),
    rfc1902.Counter64.tagSet: (Tag.COUNTER64, int),
}


def _varbind(name: ObjectName, value: Any) -> Varbind | None:
    """The snmprec varbind, or None for noSuchObject/noSuchInstance/endOfMibView."""
    converter = _CONVERT.get(value.tagSet)
    if converter is None:
        return None
    tag, convert = converter
    return Varbind(_dotted(name.asTuple()), tag, convert(value))
