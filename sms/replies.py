"""What we answer an inbound text: the SMS line's rules in order, first match wins.

Each rule hands the text to a service in models/ and turns its result, or its domain
error, into a short reply from the notices catalog. Everything happens in the caller's
transaction: the answer job commits the rule's effect together with the reply it queues.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy.orm import Session

from models import lookup, officials, optouts, survey_answers, threads
from models.agencies import Official
from models.blocklist import is_blocked
from models.errors import (
    Blocked, EmptyComplaint, IllegalTransition, InvalidCode, TicketNotFound, TooManyComplaints,
)
from models.intake import Complaint, IntakeRules, register
from models.messages import Message, Purpose
from models.notices import clip, duration, moment, render
from models.phones import Caller, identify
from models.tickets import Via
from sms.meaning import Kind, Meaning, read, read_official

AGENCY_CHARS = 40
"""An agency's name is cut to this in a status reply, to keep it within two segments."""


@dataclass(frozen=True)
class Reply:
    """What to text back ("" for nothing), and why."""

    text: str
    purpose: Purpose = Purpose.REPLY


SILENCE = Reply("")


@dataclass(frozen=True)
class _Context:
    session: Session
    message: Message
    sender: Caller
    meaning: Meaning
    language: str
    rules: IntakeRules

    @property
    def media(self) -> list[tuple[str, str]]:
        return [(url, kind) for url, kind in self.message.media or ()]


def reply_to(session: Session, message: Message, rules: IntakeRules) -> Reply:
    """Act on the inbound `message` (in the caller's transaction) and say what to answer."""
    sender = identify(message.number)
    if is_blocked(session, sender.e164):
        return SILENCE
    staff = officials.by_mobile(session, sender.e164)
    if staff:
        return Reply(_official(session, message, staff))
    meaning = read(message.body, has_media=bool(message.media))
    language = meaning.language or ("en" if sender.abroad else "fa")
    text = _RULES[meaning.kind](_Context(session, message, sender, meaning, language, rules))
    # A STOP rule says nothing but the confirmation, which must reach the number it stops.
    return Reply(text, Purpose.OPT_OUT if meaning.kind is Kind.STOP else Purpose.REPLY)


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
        threads.append(c.session, ticket, c.message, c.media)
        return render("sms_appended", ticket.language, code=ticket.code)
    return _new_complaint(c)


def _new_complaint(c: _Context) -> str:
    complaint = Complaint(via=Via.SMS, caller=c.message.number, text=c.message.body or None,
                          language=c.language, media=c.media, origin=c.message)
    try:
        ticket = register(c.session, complaint, c.rules).ticket
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
