"""What we answer an inbound text: the SMS line's rules in order, first match wins.

Each rule hands the text to a service in models/ and turns its result, or its domain
error, into a short reply from the notices catalog. Any SMS provider's webhook calls
`answer`; the reply is stored with the message, so a redelivery gets the same one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from sqlalchemy.orm import Session

from models import inbox, lookup, officials, optouts, survey_answers, threads
from models.agencies import Official
from models.blocklist import is_blocked
from models.errors import (
    Blocked, EmptyComplaint, IllegalTransition, InvalidCode, TicketNotFound, TooManyComplaints,
)
from models.intake import Complaint, IntakeRules, open_ticket
from models.messages import Message
from models.notices import clip, duration, moment, render
from models.phones import Caller, identify
from models.tickets import Ticket, Via
from sms.meaning import Kind, Meaning, read, read_official

log = logging.getLogger(__name__)

AGENCY_CHARS = 40
"""An agency's name is cut to this in a status reply, to keep it within two segments."""


@dataclass(frozen=True)
class Incoming:
    """An inbound text, out of its provider's protocol."""

    provider: str
    provider_id: str
    """The provider's message id (Twilio's MessageSid): the same on every redelivery."""
    sender: str
    """The sender as the provider gave it; intake normalizes it."""
    to: str
    body: str
    media: tuple[tuple[str, str], ...] = ()
    """(URL, content type) of each attachment."""


@dataclass(frozen=True)
class _Context:
    session: Session
    message: Message
    incoming: Incoming
    sender: Caller
    meaning: Meaning
    language: str
    rules: IntakeRules


def answer(session: Session, incoming: Incoming, rules: IntakeRules) -> str:
    """The reply to `incoming` ("" for none), the same however often it is delivered."""
    sender = identify(incoming.sender)
    if is_blocked(session, sender.e164):
        return ""
    message = inbox.take_in(session, provider=incoming.provider, provider_id=incoming.provider_id,
                            number=sender.e164 or incoming.sender or "unknown",
                            service_number=incoming.to, body=incoming.body)
    if message is None:  # delivered before: its answer, at once or when the first copy has it
        return inbox.wait_for_reply(session, incoming.provider_id)
    reply = _respond(session, message, incoming, sender, rules)
    inbox.answered(session, message, reply)
    log.info("sms answered", extra={"message_sid": incoming.provider_id,
                                    "ticket": message.ticket.code if message.ticket else None})
    return reply


def _respond(session: Session, message: Message, incoming: Incoming, sender: Caller,
             rules: IntakeRules) -> str:
    staff = officials.by_mobile(session, sender.e164)
    if staff:
        return _official(session, message, staff)
    meaning = read(incoming.body, has_media=bool(incoming.media))
    language = meaning.language or ("en" if sender.abroad else "fa")
    context = _Context(session, message, incoming, sender, meaning, language, rules)
    return _RULES[meaning.kind](context)


# Twilio answers its own STOP and START words itself (and refuses a reply to a number that
# just opted out): for those we record the change and say nothing.

def _stop(c: _Context) -> str:
    if c.sender.e164 is None or not optouts.opt_out(c.session, c.sender.e164):
        return ""  # confirmed once, the first time
    return "" if c.meaning.twilio_keyword else render("sms_opted_out", c.language)


def _start(c: _Context) -> str:
    if c.sender.e164 is not None:
        optouts.opt_in(c.session, c.sender.e164)
    return "" if c.meaning.twilio_keyword else render("sms_opted_in", c.language)


def _help(c: _Context) -> str:
    return render("sms_help", c.language)


def _status(c: _Context) -> str:
    try:
        status = lookup.public_status(c.session, c.meaning.code or "")
    except InvalidCode:
        return render("sms_bad_code", c.language)
    except TicketNotFound:
        return render("sms_unknown_code", c.language, code=c.meaning.code)
    ticket = lookup.find_by_code(c.session, status.code)
    yours = c.sender.e164 is not None and ticket.caller == c.sender.e164
    if yours:
        c.message.ticket = ticket
    agency = status.agency_en if c.language == "en" else status.agency_fa
    values = dict(code=status.code, status=status.label(c.language),
                  agency=clip(agency, AGENCY_CHARS) if agency else render("sms_no_agency", c.language),
                  time=moment(status.last_step_at, c.language))
    if yours and status.remaining is not None:  # only the complainant learns more
        return render("sms_status_yours", c.language, left=duration(status.remaining, c.language), **values)
    return render("sms_status", c.language, **values)


def _score(c: _Context) -> str:
    ticket = survey_answers.pending_survey(c.session, c.sender.e164) if c.sender.e164 else None
    if ticket is None:
        return _text(c)  # a lone digit with no survey waiting is just a text
    try:
        stored = survey_answers.answer(c.session, ticket, c.meaning.score or 0, c.message)
    except IllegalTransition:
        stored = False  # closed meanwhile, say by the unanswered-survey sweep
    key = "sms_survey_thanks" if stored else "sms_survey_already"
    return render(key, ticket.language, code=ticket.code, score=c.meaning.score)


def _text(c: _Context) -> str:
    ticket = threads.recent_ticket(c.session, c.sender.e164) if c.sender.e164 else None
    if ticket is not None:
        threads.append(c.session, ticket, c.message, c.incoming.media)
        return render("sms_appended", ticket.language, code=ticket.code)
    return _new_complaint(c)


def _new_complaint(c: _Context) -> str:
    complaint = Complaint(via=Via.SMS, caller=c.incoming.sender, text=c.incoming.body or None,
                          language=c.language, media=c.incoming.media, origin=c.message)
    try:
        ticket: Ticket = open_ticket(c.session, complaint, c.rules).ticket
    except TooManyComplaints:
        return render("sms_please_wait", c.language)
    except Blocked:
        return ""
    except EmptyComplaint:
        return render("sms_help", c.language)
    return render("tracking_code", ticket.language, code=ticket.code)


_RULES: dict[Kind, Callable[[_Context], str]] = {
    Kind.STOP: _stop, Kind.START: _start, Kind.HELP: _help, Kind.STATUS: _status,
    Kind.SCORE: _score, Kind.TEXT: _text,
}


def _official(session: Session, message: Message, staff: list[Official]) -> str:
    """Rule 0: an official's registered mobile answers tickets, and only that."""
    command = read_official(message.body)
    if command is None:
        return render("official_usage", "fa")
    try:
        ticket = officials.answer(session, staff, command.code, command.result, message)
    except InvalidCode:
        return render("sms_bad_code", "fa")
    except TicketNotFound:
        return render("sms_unknown_code", "fa", code=command.code)
    except officials.NotYourTicket:
        return render("official_not_yours", "fa", code=command.code)
    except IllegalTransition:
        ticket = lookup.find_by_code(session, command.code)
        return render("official_not_now", "fa", code=ticket.code, status=lookup.STATUS_LABELS[ticket.status][0])
    return render("official_acknowledged" if command.result is None else "official_resolved", "fa",
                  code=ticket.code)
