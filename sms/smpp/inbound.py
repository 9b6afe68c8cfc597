"""What the SMSC delivers (deliver_sm): a text from a phone, taken into the same inbox as
Twilio's webhook and answered by the same rules, or a delivery receipt, applied as Twilio's
status callback is. The deliver_sm_resp says ESME_ROK only once that is committed; with the
database down it says ESME_RX_T_APPN (a temporary error), so the SMSC delivers it again.

A text in parts is kept part by part and taken in when the last one is there, in whatever
order they came, or PARTS_WAIT after the first with what came. The same PDU delivered
again (same sender, part and SMSC id) is recognised and answered ESME_ROK, nothing more.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import timedelta
from typing import Callable

from smpplib import consts
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session as DbSession

from models.settings import SmppSettings
from models import inbox
from models import smpp_journal as journal
from models import smpp_parts as parts
from models.base import utcnow
from models.messages import Message
from models.phones import identify
from models.sending import record_delivery
from models.providers import redact
from sms.smpp import receipts, texts
from sms.smpp.session import Delivery

log = logging.getLogger(__name__)

PROVIDER = "smpp"
"""The provider name on inbound rows."""
PARTS_WAIT = timedelta(minutes=5)
"""How long a long text waits for a missing part before it is taken in without it."""
PARTS_KEPT = timedelta(days=1)
"""How long parts of a text taken in are kept to recognise the SMSC delivering them again."""
COPY_WINDOW = 600
"""Seconds in which a PDU without an SMSC id that repeats an earlier one (same sender,
part and words) counts as the same PDU delivered again."""
INTERNATIONAL = 1
"""source_addr_ton: an international number without its "+"."""

Sessions = Callable[[], DbSession]


def deliver(sessions: Sessions, settings: SmppSettings, pdu: Delivery) -> int:
    """Take in a deliver_sm; the command_status to answer it with."""
    try:
        with sessions() as session:
            if receipts.is_receipt(pdu.esm_class):
                _receipt(session, settings, pdu)
            else:
                _text(session, pdu)
    except SQLAlchemyError as exc:
        log.error("smpp delivery not stored; the SMSC will deliver it again",
                  extra={"from": redact(pdu.source), "error": type(exc).__name__}, exc_info=True)
        return consts.SMPP_ESME_RX_T_APPN
    return consts.SMPP_ESME_ROK


def overdue(sessions: Sessions) -> int:
    """Take in the long texts whose missing part is overdue, and forget old parts; how many."""
    try:
        with sessions() as session:
            series = parts.overdue(session, utcnow() - PARTS_WAIT)
            for one in series:
                _take_series(session, parts.waiting(session, one), complete=False)
            parts.forget(session, utcnow() - PARTS_KEPT)
            session.commit()
    except SQLAlchemyError as exc:
        log.error("smpp overdue parts not taken in", extra={"error": type(exc).__name__})
        return 0
    return len(series)


def number_of(address: str, ton: int) -> str:
    """A sender's address as E.164 when it is a phone number (else as given)."""
    if ton == INTERNATIONAL and address.isdigit():
        return "+" + address
    return identify(address).e164 or address or "unknown"


def _text(session: DbSession, pdu: Delivery) -> None:
    concat, octets = texts.split_header(pdu.short_message, pdu.esm_class)
    if concat is None and pdu.sar is not None:
        concat = texts.Concat(*pdu.sar)
    body = texts.decode(octets, pdu.data_coding)
    number = number_of(pdu.source, pdu.source_ton)
    identity = _digest(number, pdu.destination, pdu.receipted_id or _words(octets),
                       *(concat and (concat.reference, concat.total, concat.seq) or ()))
    if concat is None or concat.total <= 1:
        taken = inbox.take_in(session, provider=PROVIDER, provider_id=f"{PROVIDER}:{identity}",
                              number=number, service_number=pdu.destination, body=body)
        log.info("smpp text taken in" if taken else "smpp text delivered again, already taken in",
                 extra={"message_id": taken, "from": redact(number)})
        return
    part = parts.SmppPart(series=_digest(number, pdu.destination, concat.reference, concat.total),
                          identity=identity, seq=concat.seq, total=concat.total, number=number,
                          service_number=pdu.destination, text=body)
    if not parts.keep(session, part):
        log.info("smpp part delivered again, already kept", extra={"from": redact(number), "seq": concat.seq})
        return
    waiting = parts.waiting(session, part.series)
    if parts.complete(waiting):
        _take_series(session, waiting, complete=True)
    session.commit()


def _take_series(session: DbSession, kept: list[parts.SmppPart], *, complete: bool) -> None:
    """Take in the text of `kept` (unless it was before) and mark its parts taken."""
    if not kept:
        return
    provider_id = f"{PROVIDER}:{_digest(*sorted(p.identity for p in kept))}"
    parts.taken(session, kept)
    first = kept[0]
    if session.scalar(select(Message.id).where(Message.provider_id == provider_id)) is not None:
        return
    taken = inbox.take_in(session, provider=PROVIDER, provider_id=provider_id, number=first.number,
                          service_number=first.service_number, body=parts.assemble(kept))
    log.info("smpp long text taken in" if complete else "smpp long text taken in without a missing part",
             extra={"message_id": taken, "from": redact(first.number), "parts": len(kept)})


def _receipt(session: DbSession, settings: SmppSettings, pdu: Delivery) -> None:
    text = texts.decode(pdu.short_message, pdu.data_coding)
    receipt = receipts.read(text, pdu.receipted_id, pdu.message_state, pdu.network_error)
    if receipt is None or receipt.status is None:
        log.info("smpp receipt ignored", extra={"state": receipt.state if receipt else None})
        return
    number = number_of(pdu.source, pdu.source_ton)
    part = journal.by_smsc_id(session, receipt.smsc_id) or journal.adopt(
        session, receipt.smsc_id, number, receipt.quoted, utcnow() - 2 * settings.receipt_wait)
    if part is None:
        log.info("smpp receipt for an unknown message", extra={"message_sid": receipt.smsc_id})
        return
    first_id, status = journal.note_receipt(session, part, receipt.status)
    found = record_delivery(session, first_id, status, receipt.error, ref=part.ref)
    session.commit()  # the part's receipt, also when no message row matched
    log.info("smpp receipt", extra={"message_sid": receipt.smsc_id, "status": status.value,
                                    "message_id": found.id if found else None})


def _words(octets: bytes) -> str:
    """A PDU without an SMSC id is known by its words, within COPY_WINDOW."""
    return f"{octets.hex()}@{int(time.time() // COPY_WINDOW)}"


def _digest(*values: object) -> str:
    return hashlib.blake2b("\x1f".join(map(str, values)).encode(), digest_size=20).hexdigest()
