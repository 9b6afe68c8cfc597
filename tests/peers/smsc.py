"""A local SMSC speaking SMPP 3.4 over TCP, for tests and benches: smpplib's own PDU encoders
and decoders on the server side of a real socket.

It binds transceivers (one account; a wrong password gets ESME_RINVPASWD and the connection
closed), takes submit_sm (recorded in `submits`, each answered with a fresh message_id) and
query_sm (the state of a message it took, ESME_RQUERYFAIL for one it did not), answers
enquire_link and unbind, and sends deliver_sm: texts from phones (`deliver`, any coding,
in parts by UDH or SAR) and delivery receipts (`receipt`, or `auto_receipts`). The answers
to the next submits are scripted with `plan()`: "ok", "throttle" (ESME_RTHROTTLED),
"queue_full" (ESME_RMSGQFUL), "nack" (generic_nack), "silent" (taken, never answered),
"drop" (taken, then the connection closed unanswered), "lost" (not taken, the connection
closed), or a command_status to refuse with.
"""

from __future__ import annotations

import itertools
import secrets
import socket
import socketserver
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from smpplib import consts
from smpplib.smpp import make_pdu, parse_pdu

from models.settings import SmppSettings
from tests.worker.processes import wait_for

SYSTEM_ID, PASSWORD = "foad", "secret12"
"""The one account the SMSC knows."""
WAIT_MAX = 10.0
"""Seconds a helper waits for something to happen before it gives up."""


@dataclass
class Submitted:
    """One submit_sm the SMSC read."""

    destination: str
    source: str
    data_coding: int
    esm_class: int
    short_message: bytes
    registered_delivery: int
    sar: tuple[int, int, int] | None
    outcome: str | int
    message_id: str | None = None
    """Its id when the SMSC took it (answered or not)."""
    answered: bool = False
    """True once its submit_sm_resp was written."""
    at: float = field(default_factory=time.time)


class _Sequence:
    """What smpplib's PDUs ask their "client" for: sequence numbers (one series for every
    connection, so that `delivered` never mixes two connections' answers)."""

    def __init__(self, counter: "itertools.count[int]") -> None:
        self._counter = counter
        self.sequence = 0

    def next_sequence(self) -> int:
        self.sequence = next(self._counter)
        return self.sequence


class Smsc:
    """The server; `with Smsc() as smsc:` or `start()` / `stop()`."""

    def __init__(self) -> None:
        self.submits: list[Submitted] = []
        self.binds: list[tuple[str, str, int]] = []
        """Every bind: (system_id, password, the status answered)."""
        self.queries: list[tuple[str, int]] = []
        """Every query_sm: (message_id, the status answered)."""
        self.delivered: dict[int, int] = {}
        """deliver_sm we sent, by sequence number: the command_status answered (absent: none yet)."""
        self.enquiries = 0
        self.unbinds = 0
        self.answer_delay = 0.0
        """Seconds before a submit it takes is answered (so that many wait in the window)."""
        self.auto_receipts: str | None = None
        """A receipt state ("DELIVRD" …) to send at once for every part taken; None: only `receipt()`."""
        self.taken: dict[str, Submitted] = {}
        self._planned: list[str | int] = []
        self._lock = threading.Lock()
        self._connections: list[_Connection] = []
        self.sequences = itertools.count(1)
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True

    @property
    def port(self) -> int:
        """The TCP port it listens on."""
        return self._server.server_address[1]

    def settings(self, **overrides: Any) -> SmppSettings:
        """SMPP settings that bind to this SMSC."""
        fields = dict(host="127.0.0.1", port=self.port, system_id=SYSTEM_ID, password=PASSWORD,
                      source_addr="128", tps=0.0, window=10, enquire_link=30.0, submit_timeout=5.0)
        return SmppSettings(**{**fields, **overrides})

    def start(self) -> "Smsc":
        """Listen in a background thread."""
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Close every connection and stop listening."""
        self.drop()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "Smsc":
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def plan(self, *outcomes: str | int) -> None:
        """Answer the next submits with these (see the module's docstring); then "ok"."""
        with self._lock:
            self._planned.extend(outcomes)

    def bound(self) -> bool:
        """True while an ESME is bound."""
        return any(c.bound for c in self._live())

    def wait_bound(self) -> None:
        """Until an ESME is bound."""
        wait_for(self.bound, WAIT_MAX, "an ESME to bind")

    def drop(self) -> None:
        """Close every connection at once, as an SMSC restarting would."""
        for connection in self._live():
            connection.close()

    def unbind(self) -> None:
        """Ask the bound ESME to unbind (the SMSC going away cleanly)."""
        self._bound_connection().send("unbind")

    def deliver(self, source: str, text: str | bytes, *, data_coding: int | None = None,
                esm_class: int = 0, source_ton: int = 1, wait: bool = True, **tlvs: Any) -> int:
        """Send a deliver_sm (a text from `source`, "98912…"); its sequence number. With
        `wait`, until the ESME answers it (its status in `delivered`)."""
        coding = data_coding if data_coding is not None else (0 if isinstance(text, bytes) else 8)
        octets = text if isinstance(text, bytes) else text.encode("utf-16-be")
        sequence = self._bound_connection().send(
            "deliver_sm", source_addr_ton=source_ton, source_addr_npi=1, source_addr=source,
            dest_addr_ton=0, dest_addr_npi=0, destination_addr="128", esm_class=esm_class,
            data_coding=coding, short_message=octets, **tlvs)
        if wait:
            wait_for(lambda: sequence in self.delivered, WAIT_MAX, "the ESME to answer a deliver_sm")
        return sequence

    def receipt(self, message_id: str, state: str = "DELIVRD", *, text_field: bool = True,
                tlvs: bool = True, wait: bool = True) -> int:
        """Send the delivery receipt of a message it took (SMPP 3.4 appendix B text, and the
        receipted_message_id / message_state TLVs unless `tlvs` is False)."""
        taken = self.taken[message_id]
        stamp = time.strftime("%y%m%d%H%M")
        quoted = taken.short_message.decode("latin-1")[:20] if taken.data_coding == 0 else ""
        body = (f"id:{message_id} sub:001 dlvrd:{'001' if state == 'DELIVRD' else '000'} "
                f"submit date:{stamp} done date:{stamp} stat:{state} err:000"
                + (f" text:{quoted}" if text_field else ""))
        extra: dict[str, Any] = {}
        if tlvs:
            states = {"DELIVRD": 2, "EXPIRED": 3, "DELETED": 4, "UNDELIV": 5, "ACCEPTD": 6, "REJECTD": 8}
            extra = {"receipted_message_id": message_id, "message_state": states.get(state, 7)}
        return self.deliver(taken.destination, body.encode(), data_coding=0, esm_class=0x04,
                            wait=wait, **extra)

    def unanswered(self) -> list[Submitted]:
        """Submits it took and never answered (a drop came first)."""
        with self._lock:
            return [s for s in self.submits if s.message_id and not s.answered]

    def texts_to(self, number: str) -> list[str]:
        """The texts the SMSC took for `number` ("98912…"), parts joined, decoded."""
        with self._lock:
            taken = [s for s in self.submits if s.destination == number and s.message_id]
        return join_parts(taken)

    def wait_for(self, check, what: str) -> Any:
        """Until `check()` is truthy (its value)."""
        return wait_for(check, WAIT_MAX, what)

    def _next_outcome(self) -> str | int:
        with self._lock:
            return self._planned.pop(0) if self._planned else "ok"

    def _take(self, submitted: Submitted) -> str:
        message_id = secrets.token_hex(8)
        submitted.message_id = message_id
        with self._lock:
            self.taken[message_id] = submitted
        return message_id

    def _live(self) -> list["_Connection"]:
        with self._lock:
            return [c for c in self._connections if not c.closed]

    def _bound_connection(self) -> "_Connection":
        newest = lambda: next((c for c in reversed(self._live()) if c.bound), None)  # noqa: E731
        return wait_for(newest, WAIT_MAX, "a bound ESME")


def join_parts(submits: list[Submitted]) -> list[str]:
    """Texts from submitted parts: one text a series (by UDH or SAR reference), in order."""
    series: dict[object, dict[int, bytes]] = {}
    codings: dict[object, int] = {}
    for s in submits:
        key, seq, body = _place(s)
        series.setdefault(key, {})[seq] = body
        codings[key] = s.data_coding
    return [_decode(b"".join(parts[n] for n in sorted(parts)), codings[key]) for key, parts in series.items()]


def _place(s: Submitted) -> tuple[object, int, bytes]:
    if s.esm_class & 0x40:
        header_len = s.short_message[0]
        header = s.short_message[1:1 + header_len]
        return ("udh", s.destination, header[2]), header[4], s.short_message[1 + header_len:]
    if s.sar:
        return ("sar", s.destination, s.sar[0]), s.sar[2], s.short_message
    return ("one", id(s)), 1, s.short_message


def _decode(octets: bytes, coding: int) -> str:
    import gsm0338  # noqa: F401  (the codec)

    return octets.decode("utf-16-be") if coding == 8 else octets.decode("gsm03.38")


class _Connection:
    """One ESME's TCP connection, served in its own thread."""

    def __init__(self, smsc: Smsc, sock: socket.socket) -> None:
        self.smsc, self.sock = smsc, sock
        self.bound = self.closed = False
        self._sequence = _Sequence(smsc.sequences)
        self._write_lock = threading.Lock()

    def serve(self) -> None:
        try:
            while not self.closed:
                data = self._read()
                if data is None:
                    return
                self._dispatch(parse_pdu(data, client=self._sequence, allow_unknown_opt_params=True))
        except OSError:
            return
        finally:
            self.close()

    def send(self, command: str, **fields: Any) -> int:
        """Write a request PDU of ours; its sequence number."""
        with self._write_lock:
            pdu = make_pdu(command, client=self._sequence, **fields)
            self.sock.sendall(pdu.generate())
            return int(pdu.sequence)

    def answer(self, command: str, sequence: int, status: int = consts.SMPP_ESME_ROK, **fields: Any) -> None:
        with self._write_lock:
            pdu = make_pdu(command, client=self._sequence, status=status, **fields)
            pdu.sequence = sequence
            self.sock.sendall(pdu.generate())

    def close(self) -> None:
        self.closed, self.bound = True, False
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    def _read(self) -> bytes | None:
        head = self._exactly(4)
        if head is None:
            return None
        (length,) = struct.unpack(">L", head)
        rest = self._exactly(length - 4)
        return None if rest is None else head + rest

    def _exactly(self, size: int) -> bytes | None:
        chunks, got = [], 0
        while got < size:
            chunk = self.sock.recv(size - got)
            if not chunk:
                return None
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _dispatch(self, pdu) -> None:
        handler = getattr(self, f"_on_{pdu.command}", None)
        if handler is not None:
            handler(pdu)
        elif not pdu.command.endswith("_resp"):
            self.answer("generic_nack", pdu.sequence, consts.SMPP_ESME_RINVCMDID)

    def _on_bind_transceiver(self, pdu) -> None:
        system_id, password = pdu.system_id.decode(), pdu.password.decode()
        ok = (system_id, password) == (SYSTEM_ID, PASSWORD)
        status = consts.SMPP_ESME_ROK if ok else (
            consts.SMPP_ESME_RINVPASWD if system_id == SYSTEM_ID else consts.SMPP_ESME_RINVSYSID)
        self.smsc.binds.append((system_id, password, status))
        self.answer("bind_transceiver_resp", pdu.sequence, status, system_id="SMSC")
        if ok:
            self.bound = True
            with self.smsc._lock:
                self.smsc._connections.append(self)
        else:
            self.close()

    def _on_submit_sm(self, pdu) -> None:
        outcome = self.smsc._next_outcome()
        sar = (pdu.sar_msg_ref_num, pdu.sar_total_segments, pdu.sar_segment_seqnum) \
            if pdu.sar_total_segments else None
        submitted = Submitted(pdu.destination_addr.decode(), pdu.source_addr.decode(), pdu.data_coding or 0,
                              pdu.esm_class or 0, pdu.short_message or b"", pdu.registered_delivery or 0,
                              sar, outcome)
        with self.smsc._lock:
            self.smsc.submits.append(submitted)
        if outcome == "lost":
            return self.close()
        if outcome not in ("ok", "silent", "drop"):
            return self._refuse(pdu, outcome)
        self.smsc._take(submitted)
        if outcome == "drop":
            return self.close()
        if outcome == "ok" and self.smsc.answer_delay:
            threading.Timer(self.smsc.answer_delay, self._taken, (pdu.sequence, submitted)).start()
        elif outcome == "ok":
            self._taken(pdu.sequence, submitted)

    def _taken(self, sequence: int, submitted: Submitted) -> None:
        try:
            self.answer("submit_sm_resp", sequence, message_id=submitted.message_id)
        except OSError:
            return  # the connection closed meanwhile: never answered
        submitted.answered = True
        if self.smsc.auto_receipts:
            threading.Thread(target=self.smsc.receipt, args=(submitted.message_id, self.smsc.auto_receipts),
                             kwargs={"wait": False}, daemon=True).start()

    def _refuse(self, pdu, outcome: str | int) -> None:
        if outcome == "nack":
            return self.answer("generic_nack", pdu.sequence, consts.SMPP_ESME_RSYSERR)
        status = {"throttle": consts.SMPP_ESME_RTHROTTLED, "queue_full": consts.SMPP_ESME_RMSGQFUL}.get(
            str(outcome), outcome)
        self.answer("submit_sm_resp", pdu.sequence, int(status))

    def _on_query_sm(self, pdu) -> None:
        message_id = pdu.message_id.decode()
        known = message_id in self.smsc.taken
        status = consts.SMPP_ESME_ROK if known else consts.SMPP_ESME_RQUERYFAIL
        self.smsc.queries.append((message_id, status))
        if known:
            self.answer("query_sm_resp", pdu.sequence, message_id=message_id, final_date="",
                        message_state=1, error_code=0)
        else:
            self.answer("query_sm_resp", pdu.sequence, status)

    def _on_deliver_sm_resp(self, pdu) -> None:
        self.smsc.delivered[int(pdu.sequence)] = int(pdu.status)

    def _on_enquire_link(self, pdu) -> None:
        self.smsc.enquiries += 1
        self.answer("enquire_link_resp", pdu.sequence)

    def _on_unbind(self, pdu) -> None:
        self.smsc.unbinds += 1
        self.bound = False  # before answering: the ESME may bind again at once
        self.answer("unbind_resp", pdu.sequence)
        self.close()

    def _on_unbind_resp(self, _pdu) -> None:
        self.close()


def _handler(smsc: Smsc) -> type[socketserver.BaseRequestHandler]:
    class Handler(socketserver.BaseRequestHandler):
        """Serve one TCP connection until it closes."""

        def handle(self) -> None:
            _Connection(smsc, self.request).serve()

    return Handler
