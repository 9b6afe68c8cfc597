"""The link's two requests: submit a text (its parts through the window, each noted in the
journal before it is written) and find a text an earlier attempt may have handed over
(the journal, then query_sm), the SMPP side of a provider's `send` and `find_sent`."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from smpplib import consts

from models import smpp_journal as journal
from models.base import utcnow
from models.providers import redact
from sms.smpp import bridge, texts
from sms.smpp.session import Answer, LinkDown

if TYPE_CHECKING:
    from sms.smpp.link import Link

log = logging.getLogger(__name__)

SLOW_DOWN = frozenset({consts.SMPP_ESME_RTHROTTLED, consts.SMPP_ESME_RMSGQFUL})
"""Answers that mean "not now, slower": the part is written again after a pause."""
THROTTLED_TRIES = 20
"""Times one part is written again after slow-down answers before the send is given back."""
NOT_FOUND = frozenset({consts.SMPP_ESME_RQUERYFAIL, consts.SMPP_ESME_RINVMSGID})
"""query_sm answers that mean the SMSC has no such message."""
REFUSED_FOR_GOOD = frozenset({
    consts.SMPP_ESME_RINVMSGLEN, consts.SMPP_ESME_RINVSRCADR, consts.SMPP_ESME_RINVDSTADR,
    consts.SMPP_ESME_RINVESMCLASS, consts.SMPP_ESME_RINVSERTYP, consts.SMPP_ESME_RINVSRCTON,
    consts.SMPP_ESME_RINVSRCNPI, consts.SMPP_ESME_RINVDSTTON, consts.SMPP_ESME_RINVDSTNPI,
    consts.SMPP_ESME_RINVREGDLVFLG, consts.SMPP_ESME_RINVOPTPARAMVAL,
})
"""submit_sm_resp statuses that will not pass: the text or its addresses are wrong. Any
other error (a system error, the SMSC's own codes) is retried with the send job's backoff."""


class NotWritten(Exception):
    """The PDU never left us: the link was down, or went down while writing it."""


def submit(link: "Link", request: dict[str, Any]) -> dict[str, Any] | None:
    """Send a text part by part; the first part's SMSC id, or why not (None: nobody waits)."""
    if not bridge.wanted(request):
        log.info("smpp submit dropped: its sender stopped waiting", extra={"ref": request["ref"]})
        return None
    s = link.settings
    text = texts.outgoing(request["body"], gsm7_ok=s.gsm7, sar=s.long_messages == "sar")
    with link.sessions() as session:
        rows = journal.write(session, ref=request["ref"], number=request["to"], body=request["body"],
                             parts=len(text.parts))
        ids = []
        for n, part in enumerate(text.parts):
            taken = _submit_part(link, session, request, text.data_coding, part, rows[n:])
            if isinstance(taken, dict):
                return taken
            ids.append(taken)
        first = ids[0]
    log.info("smpp text taken", extra={"ref": request["ref"], "to": redact(request["to"]),
                                       "parts": len(rows), "message_sid": first})
    return {"id": first}


def _submit_part(link: "Link", session, request: dict[str, Any], coding: int, part: texts.Part,
                 rows: list[int]) -> str | None | dict[str, Any]:
    """Write the part of journal row rows[0] and note the SMSC's answer: the SMSC's id of the
    part (None if it gave none) to go on, or why the text stops here (a dict; the rows after
    it marked never taken)."""
    try:
        answer = _write_part(link, request["to"], coding, part)
    except NotWritten as exc:
        journal.never_taken(session, rows)
        return _refusal("not_sent", f"not sent: {exc}", "retry")
    except LinkDown as exc:
        journal.never_taken(session, rows[1:])
        return _refusal("unanswered", f"the link dropped before the SMSC answered: {exc}", "unknown")
    if answer.status != consts.SMPP_ESME_ROK:
        journal.answered(session, rows[0], None, _code(answer.status))
        journal.never_taken(session, rows[1:])
        return _refused(request, answer)
    journal.answered(session, rows[0], answer.message_id)
    return answer.message_id or None


def _write_part(link: "Link", to: str, coding: int, part: texts.Part) -> Answer:
    """Write one part until the SMSC answers other than "slow down" (or too often so)."""
    answer = None
    for _ in range(THROTTLED_TRIES):
        answer = link.send(lambda session: session.submit(to, coding, part, link.window.expect))
        if answer.command != "generic_nack" and answer.status not in SLOW_DOWN:
            if answer.status == consts.SMPP_ESME_ROK:
                link.pace.taken()
            return answer
        pause = link.pace.slow_down()
        log.warning("smpp asked to slow down", extra={"status": _code(answer.status),
                                                      "command": answer.command, "pause_s": pause})
    assert answer is not None
    return answer


def _refused(request: dict[str, Any], answer: Answer) -> dict[str, Any]:
    code = _code(answer.status)
    detail = consts.DESCRIPTIONS.get(answer.status, "refused by the SMSC")
    kind = "permanent" if answer.status in REFUSED_FOR_GOOD else "retry"
    log.warning("smpp text refused", extra={"ref": request["ref"], "code": code, "kind": kind})
    return _refusal(code, detail, kind)


def _refusal(code: str, detail: str, kind: str) -> dict[str, Any]:
    return {"error": code, "detail": detail, "kind": kind}


def _code(status: int) -> str:
    return f"0x{status:08x}"


def find(link: "Link", request: dict[str, Any]) -> dict[str, Any] | None:
    """The SMSC id of a send of this body to this number an earlier attempt handed over and
    the SMSC still knows (None: resend), or "retry" while that cannot be told yet."""
    if not bridge.wanted(request):
        return None
    since, exclude = datetime.fromisoformat(request["since"]), set(request.get("exclude", ()))
    wait = link.settings.receipt_wait
    with link.sessions() as session:
        for attempt in journal.attempts(session, request["to"], request["body"], since):
            state = attempt.state
            if attempt.smsc_id in exclude or state in (journal.PartState.REFUSED, journal.PartState.NEVER):
                continue
            if state == journal.PartState.WRITTEN:
                if attempt.written_at > utcnow() - wait:
                    return _refusal("waiting", "the SMSC may have it: waiting for its receipt", "retry")
                journal.never_taken(session, [part.id for part in attempt.parts])
                continue
            known = _known(link, attempt.smsc_id or "")
            if known is None:
                return _refusal("query_failed", "could not ask the SMSC", "retry")
            if known:
                return {"id": attempt.smsc_id}
            log.warning("smpp: the SMSC has no such message", extra={"ref": attempt.ref,
                                                                     "message_sid": attempt.smsc_id})
    return {"id": None}


def _known(link: "Link", smsc_id: str) -> bool | None:
    """Whether the SMSC knows message `smsc_id` (query_sm); None when it could not be asked."""
    try:
        answer = link.send(lambda session: session.query(smsc_id, link.window.expect))
    except (NotWritten, LinkDown):
        return None
    if answer.status == consts.SMPP_ESME_ROK:
        return True
    return False if answer.status in NOT_FOUND else None
