"""The SNMPv1/v2c client of the SNMP transport: GET, GETNEXT and GETBULK requests over
one asyncio UDP endpoint, encoded and decoded by `snmp_ber` instead of pysnmp.

It keeps pysnmp's semantics (`discovery.transports.snmp` walks with either): every try of
a request gets a fresh request-id, waits `timeout` seconds and is sent at most
`retries + 1` times; an answer is matched to its request by request-id, and one whose
request-id is not outstanding (a late answer to an earlier try) is dropped. A closed port
(ICMP port unreachable) counts as silence, as it does for pysnmp and net-snmp.

A datagram that is not a well-formed v1/v2c Response fails every outstanding request with
`BadAnswer` at once, since a malformed datagram cannot be matched to one; so does an
answer in another SNMP version or with another community than its request's. Neither
crashes nor hangs the walk. The community never appears in a message.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from typing import Any

from discovery.transports.snmp_ber import (
    BerError,
    Binding,
    Message,
    Oid,
    PduType,
    decode_message,
    encode_message,
)
from discovery.transports.snmprec import Tag

__all__ = ["BadAnswer", "NoAnswer", "V2cClient"]

_MAX_REQUEST_ID = 2**31 - 1
_VERSION_NAMES = ("SNMPv1", "SNMPv2c")


class NoAnswer(Exception):
    """No answer to any of a request's tries."""


class BadAnswer(Exception):
    """The agent sent something that is not a valid answer; the text says what."""


class V2cClient:
    """Requests to one agent over one connected UDP socket; asyncio, one event loop."""

    def __init__(self, transport: asyncio.DatagramTransport, version: int, community: bytes,
                 timeout: float, retries: int) -> None:
        self._transport = transport
        self._version = version
        self._community = community
        self._timeout = timeout
        self._tries = retries + 1
        self._pending: dict[int, asyncio.Future[Message]] = {}
        self._next_id = random.randint(1, _MAX_REQUEST_ID)  # noqa: S311 (not a secret)

    def __repr__(self) -> str:  # never the community
        return f"V2cClient({self._transport.get_extra_info('peername')}, v{self._version})"

    @classmethod
    async def connect(cls, host: str, port: int, *, version: int, community: bytes,
                      timeout: float, retries: int) -> V2cClient:
        """A client with its socket connected to (host, port); OSError if that fails."""
        loop = asyncio.get_running_loop()
        protocol = _Protocol()
        transport, _ = await loop.create_datagram_endpoint(lambda: protocol,
                                                           remote_addr=(host, port))
        client = cls(transport, version, community, timeout, retries)
        protocol.client = client
        return client

    async def request(self, pdu: PduType, oids: Sequence[Oid],
                      max_repetitions: int = 0) -> Message:
        """Send one request (retrying on silence); its Response, NoAnswer or BadAnswer.
        `max_repetitions` is for GET_BULK only (with non-repeaters 0)."""
        bindings = tuple(Binding(oid, Tag.NULL, None) for oid in oids)
        for _ in range(self._tries):
            request_id = self._take_id()
            datagram = encode_message(Message(self._version, self._community, pdu, request_id,
                                              0, max_repetitions, bindings))
            answer = await self._exchange(request_id, datagram)
            if answer is not None:
                return answer
        raise NoAnswer(f"no answer to {self._tries} tries")

    def close(self) -> None:
        self._transport.close()
        self._fail(BadAnswer("the session was closed"))

    def _take_id(self) -> int:
        request_id = self._next_id
        self._next_id = request_id % _MAX_REQUEST_ID + 1
        return request_id

    async def _exchange(self, request_id: int, datagram: bytes) -> Message | None:
        """Send one try and wait for its answer; None after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Message] = loop.create_future()
        self._pending[request_id] = future
        expiry = loop.call_later(self._timeout, _expire, future)
        try:
            self._transport.sendto(datagram)
            return await future
        except TimeoutError:
            return None
        finally:
            expiry.cancel()
            del self._pending[request_id]

    def received(self, data: bytes) -> None:
        """A datagram from the agent: settle the request it answers."""
        try:
            message = decode_message(data)
        except BerError as exc:
            self._fail(BadAnswer(f"the agent sent a malformed SNMP message ({len(data)} "
                                 f"bytes): {exc}"))
            return
        future = self._pending.get(message.request_id)
        if future is None or future.done():
            return  # a late or duplicate answer to a try already settled
        if message.pdu is not PduType.RESPONSE:
            future.set_exception(BadAnswer(f"the agent answered with a {message.pdu.name} PDU "
                                           "instead of a Response"))
        elif message.version != self._version:
            names = _VERSION_NAMES[message.version], _VERSION_NAMES[self._version]
            future.set_exception(BadAnswer("the agent answered in {} to an {} request"
                                           .format(*names)))
        elif message.community != self._community:
            future.set_exception(BadAnswer("the agent answered with another community than "
                                           "the request's"))
        else:
            future.set_result(message)

    def failed(self, exc: Exception) -> None:
        """A socket error: a closed port is silence (retries, then NoAnswer); anything
        else fails what is outstanding."""
        if not isinstance(exc, ConnectionRefusedError):
            self._fail(BadAnswer(f"socket error: {exc}"))

    def _fail(self, exc: BadAnswer) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(exc)


def _expire(future: asyncio.Future[Message]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


class _Protocol(asyncio.DatagramProtocol):
    """Hands the socket's events to its client (set right after the endpoint exists)."""

    client: V2cClient | None = None

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        if self.client is not None:
            self.client.received(data)

    def error_received(self, exc: Exception) -> None:
        if self.client is not None:
            self.client.failed(exc)
