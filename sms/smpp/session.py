"""The one module that speaks smpplib: a bound SMPP 3.4 transceiver session over TCP, and
the PDUs it reads turned into plain values.

smpplib 2.2, and how it is used here:
- `Client()` warns (DeprecationWarning) unless `allow_unknown_opt_params` is given: True, as
  SMPP 3.4 (3.2.4) wants an unknown TLV ignored, not a broken link.
- `Client.read_once()` leaves an SMSC's `unbind` unanswered, raises on any PDU with an error
  status and answers a deliver_sm before we know the text is stored: PDUs are read with
  `read_pdu()` here and each is answered by the link itself.
- `read_pdu()` loses a half-read PDU when the socket times out mid-way: we wait for bytes
  with select() on the client's (private) socket and read only then, with a socket timeout
  long enough for the rest of the PDU.
- The client hands out sequence numbers and writes with no lock, and `send_pdu()` checks
  the bind state it tracks: every PDU is made and written under one lock (the reader thread
  answers deliver_sm while senders write submit_sm).
- A response's sequence number cannot be passed to `make_pdu()` (the property shadows the
  keyword): it is set on the PDU afterwards, as smpplib itself does.
- Parsed C-octet strings are bytes; strings we give are encoded as Latin-1.
- A PDU of a command smpplib does not know raises UnknownCommandError: the link treats it
  like any broken PDU stream and reconnects.
"""

from __future__ import annotations

import select
import threading
from dataclasses import dataclass
from typing import Callable, TypeVar

from smpplib import consts, exceptions
from smpplib.client import Client
from smpplib.smpp import make_pdu

from models.settings import SmppSettings
from sms.smpp.texts import Part

CONNECT_TIMEOUT = 10.0
"""Seconds to open the TCP connection and to wait for the rest of a PDU once it started."""
INTERNATIONAL, E164 = 1, 1
"""dest_addr_ton / dest_addr_npi of the numbers we text: international, ISDN (E.164)."""
FINAL_RECEIPT = 0x01
"""registered_delivery: a receipt when the text reaches its final state, delivered or not."""

T = TypeVar("T")
Expect = Callable[[int], T]
"""Called with a PDU's sequence number before the PDU is written (so that its answer,
however quick, finds someone waiting); its result is what the write returns."""


class LinkDown(Exception):
    """The TCP connection or the SMPP session is gone (or never came up)."""


class BindRefused(LinkDown):
    """The SMSC refused the bind: `status` says why (a wrong password: ESME_RINVPASWD)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"bind refused: {consts.DESCRIPTIONS.get(status, 'unknown')} (0x{status:08x})")
        self.status = status


@dataclass(frozen=True)
class Answer:
    """A response PDU (or a generic_nack) to something we sent."""

    command: str
    sequence: int
    status: int
    message_id: str | None = None
    message_state: int | None = None


@dataclass(frozen=True)
class Request:
    """A PDU the SMSC asks us to answer that carries nothing else we read (enquire_link, unbind)."""

    command: str
    sequence: int


@dataclass(frozen=True)
class Delivery:
    """A deliver_sm: a text from a phone, or a delivery receipt."""

    sequence: int
    source: str
    source_ton: int
    destination: str
    esm_class: int
    data_coding: int
    short_message: bytes
    sar: tuple[int, int, int] | None
    receipted_id: str | None
    message_state: int | None
    network_error: bytes | None


class Session:
    """One TCP connection bound as a transceiver; thread-safe for writing."""

    def __init__(self, settings: SmppSettings) -> None:
        self.settings = settings
        self._client = Client(settings.host, settings.port, timeout=CONNECT_TIMEOUT,
                              allow_unknown_opt_params=True, logger_name="sms.smpp.pdus")
        self._lock = threading.Lock()

    def bind(self) -> None:
        """Connect and bind_transceiver; LinkDown (BindRefused) when that fails."""
        s = self.settings
        try:
            self._client.connect()
            self._client.bind_transceiver(system_id=s.system_id, password=s.password,
                                          system_type=s.system_type)
        except exceptions.PDUError as exc:
            self.close()
            raise BindRefused(int(exc.args[1]) if len(exc.args) > 1 else consts.SMPP_ESME_RBINDFAIL) from None
        except (exceptions.ConnectionError, OSError) as exc:
            self.close()
            raise LinkDown(f"cannot reach the SMSC: {type(exc).__name__}") from None

    def submit(self, destination: str, data_coding: int, part: Part, expect: Expect[T]) -> T:
        """Write one submit_sm asking for a final receipt."""
        s = self.settings
        fields: dict[str, object] = dict(
            source_addr_ton=s.source_ton, source_addr_npi=s.source_npi, source_addr=s.source_addr,
            dest_addr_ton=INTERNATIONAL, dest_addr_npi=E164, destination_addr=destination.lstrip("+"),
            esm_class=part.esm_class, data_coding=data_coding, registered_delivery=FINAL_RECEIPT,
            short_message=part.short_message)
        if part.sar:
            fields.update(sar_msg_ref_num=part.sar[0], sar_total_segments=part.sar[1],
                          sar_segment_seqnum=part.sar[2])
        return self._write("submit_sm", expect, **fields)

    def query(self, smsc_id: str, expect: Expect[T]) -> T:
        """Write a query_sm for a text we sent."""
        s = self.settings
        return self._write("query_sm", expect, message_id=smsc_id, source_addr_ton=s.source_ton,
                           source_addr_npi=s.source_npi, source_addr=s.source_addr)

    def enquire(self, expect: Expect[T]) -> T:
        """Write an enquire_link."""
        return self._write("enquire_link", expect)

    def unbind(self, expect: Expect[T]) -> T:
        """Write an unbind."""
        return self._write("unbind", expect)

    def answer(self, command: str, sequence: int, status: int = consts.SMPP_ESME_ROK) -> None:
        """Write the response `command` (deliver_sm_resp, enquire_link_resp …) to `sequence`."""
        with self._lock:
            pdu = make_pdu(command, client=self._client, status=status)
            pdu.sequence = sequence
            self._send(pdu)

    def read(self, wait: float) -> Answer | Request | Delivery | None:
        """The next PDU from the SMSC, or None when none came within `wait` seconds."""
        sock = self._client._socket
        if sock is None:
            raise LinkDown("not connected")
        try:
            ready, _, _ = select.select([sock], [], [], wait)
            if not ready:
                return None
            return _plain(self._client.read_pdu())
        except (exceptions.ConnectionError, exceptions.PDUError, exceptions.UnknownCommandError,
                OSError, ValueError, AttributeError) as exc:
            # AttributeError: another thread closed the session mid-read (the client's socket is None).
            raise LinkDown(f"link lost while reading: {type(exc).__name__}") from None

    def close(self) -> None:
        """Close the TCP connection (no unbind: see `unbind`)."""
        with self._lock:
            try:
                self._client.disconnect()
            except OSError:
                pass

    def _write(self, command: str, expect: Expect[T], **fields: object) -> T:
        with self._lock:
            pdu = make_pdu(command, client=self._client, **fields)
            waiting = expect(int(pdu.sequence))
            self._send(pdu)
            return waiting

    def _send(self, pdu: object) -> None:
        if self._client._socket is None:
            raise LinkDown("not connected")
        try:
            self._client.send_pdu(pdu)
        except (exceptions.ConnectionError, exceptions.PDUError, OSError, AttributeError) as exc:
            raise LinkDown(f"link lost while writing: {type(exc).__name__}") from None


def _text(value: bytes | str | None) -> str | None:
    if value is None:
        return None
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _plain(pdu) -> Answer | Request | Delivery:
    """A parsed smpplib PDU as one of our plain values."""
    if pdu.command == "deliver_sm":
        return _delivery(pdu)
    if pdu.command.endswith("_resp") or pdu.command == "generic_nack":
        return Answer(pdu.command, int(pdu.sequence), int(pdu.status),
                      _text(getattr(pdu, "message_id", None)), getattr(pdu, "message_state", None))
    return Request(pdu.command, int(pdu.sequence))


def _delivery(pdu) -> Delivery:
    sar = None
    if pdu.sar_msg_ref_num is not None and pdu.sar_total_segments and pdu.sar_segment_seqnum:
        sar = (int(pdu.sar_msg_ref_num), int(pdu.sar_total_segments), int(pdu.sar_segment_seqnum))
    return Delivery(
        sequence=int(pdu.sequence), source=_text(pdu.source_addr) or "", source_ton=pdu.source_addr_ton or 0,
        destination=_text(pdu.destination_addr) or "", esm_class=pdu.esm_class or 0,
        data_coding=pdu.data_coding or 0, short_message=pdu.short_message or pdu.message_payload or b"",
        sar=sar, receipted_id=_text(pdu.receipted_message_id), message_state=pdu.message_state,
        network_error=pdu.network_error_code)
