"""The pysnmp client of the SNMP transport: SNMPv3 (USM auth/priv) always, and v1/v2c when
asked for (`SnmpClient.PYSNMP`, the reference implementation).

`PysnmpRequester` answers the transport's requester interface (`discovery.transports.snmp`
walks and gets through it): one SNMP engine per session, pysnmp's command generators
called below its hlapi with numeric OIDs and no MIB lookups, answers turned into the BER
codec's `Binding`s (OCTET STRINGs as bytes). Silence after every try raises
`snmp_v2c.NoAnswer`, a value of unknown type `snmp_v2c.BadAnswer`, any other pysnmp error
indication `Indication`, which words itself as a typed discovery error.

This is the only module that imports pysnmp or pyasn1; both ship no type information, so
their values are checked where they enter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from pyasn1.error import PyAsn1Error
from pysnmp.entity.engine import SnmpEngine
from pysnmp.entity.rfc3413 import cmdgen
from pysnmp.error import PySnmpError
from pysnmp.hlapi.v3arch.asyncio import CommunityData, UdpTransportTarget, UsmUserData
from pysnmp.hlapi.v3arch.asyncio import auth as usm
from pysnmp.hlapi.v3arch.asyncio.lcd import CommandGeneratorLcdConfigurator
from pysnmp.proto import errind, rfc1902, rfc1905
from pysnmp.proto.rfc1902 import ObjectName

from discovery.errors import AuthError, CommandError, ConfigError, ConnectError, DiscoveryError
from discovery.transports.snmp_ber import Binding, Missing, Oid, PduType, oid_text
from discovery.transports.snmp_v2c import BadAnswer, NoAnswer
from discovery.transports.snmprec import Tag, Value
from inventory.model import SnmpAuthProtocol, SnmpCredentials, SnmpPrivProtocol, SnmpVersion

__all__ = ["LIBRARY_ERRORS", "Indication", "PysnmpRequester", "Reply"]

# What pysnmp and pyasn1 raise themselves; the session words them as library failures.
LIBRARY_ERRORS: tuple[type[Exception], ...] = (PySnmpError, PyAsn1Error)

_NULL = rfc1902.Null("")
# The command generators below pysnmp's hlapi: the hlapi resolves every request OID
# through a MIB view, which costs a pysmi parser build (~1.5 s) per engine.
_GET = cmdgen.GetCommandGenerator()
_NEXT = cmdgen.NextCommandGeneratorSingleRun()
_BULK = cmdgen.BulkCommandGeneratorSingleRun()
_LCD = CommandGeneratorLcdConfigurator()

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


class Reply(NamedTuple):
    """A Response PDU: error-status, error-index and the varbinds."""

    error_status: int
    error_index: int
    bindings: Sequence[Binding]


class Indication(Exception):
    """A pysnmp error indication other than a timeout, to be worded with its context."""

    def __init__(self, indication: object) -> None:
        super().__init__(str(indication))
        self.indication = indication

    def error(self, what: str, where: str, who: str, target: str,
              opening: bool) -> DiscoveryError:
        """The typed error: AuthError for a credential the agent refused, ConfigError
        for a protocol pysnmp cannot use, else ConnectError (while `opening`) or
        CommandError naming `what` and `where`. `who` names the credential, never it."""
        ind = self.indication
        for kind, why in _AUTH_FAILURES.items():
            if isinstance(ind, kind):
                return AuthError(f"{why}: {who} at {where}", target=target)
        if isinstance(ind, errind.UnsupportedAuthProtocol | errind.UnsupportedPrivProtocol):
            return ConfigError(f"{ind} ({who})", target=target)
        error = ConnectError if opening else CommandError
        return error(f"{what} at {where} failed: {ind}", target=target)


class PysnmpRequester:
    """pysnmp's command generators as a requester: one SNMP engine per session."""

    def __init__(self, engine: SnmpEngine, target: str, context: bytes) -> None:
        self.engine = engine
        self._target = target
        self._context = context

    @classmethod
    async def connect(cls, address: str, port: int, snmp: SnmpCredentials, *,
                      community: str | None, auth_key: str | None, priv_key: str | None,
                      timeout: float, retries: int) -> PysnmpRequester:
        """A requester for the agent at (address, port); PySnmpError or OSError when the
        address cannot be used."""
        udp = await UdpTransportTarget.create((address, port), timeout=timeout,
                                              retries=retries)
        engine = SnmpEngine()
        context = (snmp.context or "").encode("utf-8")
        auth = _auth_data(snmp, community, auth_key, priv_key)
        target, _ = _LCD.configure(engine, auth, udp, context)
        return cls(engine, target, context)

    async def request(self, pdu: PduType, oids: Sequence[Oid],
                      max_repetitions: int) -> Reply:
        future: asyncio.Future[tuple[Any, Any, Any, Any]] = (
            asyncio.get_running_loop().create_future())

        def done(engine: SnmpEngine, handle: int, ind: Any, status: Any, index: Any,
                 varbinds: Any, ctx: Any) -> None:
            if not future.done():  # a cancelled wait leaves its future done
                future.set_result((ind, status, index, varbinds))

        request = [(ObjectName(oid), _NULL) for oid in oids]
        args = (self.engine, self._target, None, self._context)
        if pdu is PduType.GET:
            _GET.send_varbinds(*args, request, done)
        elif pdu is PduType.GET_NEXT:
            _NEXT.send_varbinds(*args, request, done)
        else:
            _BULK.send_varbinds(*args, 0, max_repetitions, request, done)
        ind, status, index, answer = await future
        if isinstance(ind, errind.RequestTimedOut):
            raise NoAnswer(str(ind))
        if ind:
            raise Indication(ind)
        return Reply(int(status), int(index), [_binding(name, value) for name, value in answer])

    def close(self) -> None:
        self.engine.close_dispatcher()


def _auth_data(snmp: SnmpCredentials, community: str | None, auth_key: str | None,
               priv_key: str | None) -> CommunityData | UsmUserData:
    if snmp.version is not SnmpVersion.V3:
        return CommunityData(community, mpModel=0 if snmp.version is SnmpVersion.V1 else 1)
    return UsmUserData(
        snmp.user, authKey=auth_key, privKey=priv_key,
        authProtocol=_AUTH[snmp.auth_protocol] if snmp.auth_protocol else usm.USM_AUTH_NONE,
        privProtocol=_PRIV[snmp.priv_protocol] if snmp.priv_protocol else usm.USM_PRIV_NONE)


# -- pysnmp values as the codec's ----------------------------------------------------------

def _octets(value: Any) -> Value:
    raw: bytes = value.asOctets()
    return raw


def _ip(value: Any) -> Value:
    return ".".join(map(str, value.asNumbers()))


def _oid(value: Any) -> Value:
    return oid_text(value.asTuple())


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
_MISSING: Mapping[Any, Missing] = {
    rfc1905.NoSuchObject.tagSet: Missing.NO_SUCH_OBJECT,
    rfc1905.NoSuchInstance.tagSet: Missing.NO_SUCH_INSTANCE,
    rfc1905.EndOfMibView.tagSet: Missing.END_OF_MIB_VIEW,
}


def _binding(name: ObjectName, value: Any) -> Binding:
    """A pysnmp varbind as the codec's Binding."""
    oid: Oid = tuple(name.asTuple())
    missing = _MISSING.get(value.tagSet)
    if missing is not None:
        return Binding(oid, missing, None)
    converter = _CONVERT.get(value.tagSet)
    if converter is None:
        raise BadAnswer(f"{oid_text(oid)}: a value of unknown type {type(value).__name__}")
    tag, convert = converter
    return Binding(oid, tag, convert(value))
