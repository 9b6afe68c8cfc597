"""What we answer an inbound text: the SMS line's rules in order, first match wins.

Each rule hands the text to a service in models/ and turns its result, or its domain
error, into a short reply from the notices catalog. Everything happens in the caller's
transaction: the answer job commits the rule's effect together with the reply it queues.
Rules that look at time (the ten minutes a thread stays open, the hourly limit) read it
as of the moment the text came in, not when the job got to it. A new complaint whose words
do not say where it goes is asked (its service, then its province) in the tracking-code
reply, and a text that answers is read as the answer (models/questions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy.orm import Session

from models import asking, inbox, lookup, officials, optouts, questions, senders, survey_answers, threads
from models.agencies import Official
from models.carrying import Carried
from models.errors import (
    Blocked, EmptyComplaint, IllegalTransition, InvalidCode, TicketNotFound, TooManyComplaints,
)
from models.intake import Complaint, IntakeRules, Opened, register
from models.messages import Message, OptOutSource, Purpose
from models.notices import duration, fit, moment, render, sector_menu
from models.phones import Caller, identify
from models.placing import TriageState
from models.tickets import Ticket, Via
from sms.meaning import Kind, Meaning, read, read_official

PLEASE_WAIT_EVERY = timedelta(hours=1)
"""Past the hourly limit a number is told to wait at most this often; its texts are kept."""


@dataclass(frozen=True)
class Reply:
    """What to text back ("" for nothing), and why; `carried`: the writes of the rule that
    decided it, to go out with it (a question's, which the reply asks)."""

    text: str
    purpose: Purpose = Purpose.REPLY
    carried: Carried = ()


SILENCE = Reply("")


@dataclass(frozen=True)
class _Context:
    session: Session
    message: Message
    sender: Caller
    known: senders.Sender
    """What was known of the sender when the text came (read once, before any rule)."""
    meaning: Meaning
    language: str
    rules: IntakeRules
    link_base: str
    """The console's public address, for a text to an official a late answer moves a ticket to."""

    @property
    def media(self) -> list[tuple[str, str]]:
        return [(url, kind) for url, kind in self.message.media or ()]

    @property
    def now(self) -> datetime:
        """When the text came in."""
        return self.message.created_at


def reply_to(session: Session, message: Message, rules: IntakeRules, link_base: str = "") -> Reply:
    """Act on the inbound `message` (in the caller's transaction) and say what to answer."""
    sender = identify(message.number)
    known = senders.about(session, sender.e164, message.created_at) if sender.e164 else senders.NOBODY
    if known.blocked:
        return SILENCE
    meaning = read(message.body, has_media=bool(message.media))
    language = meaning.language or ("en" if sender.abroad else "fa")
    context = _Context(session, message, sender, known, meaning, language, rules, link_base)
    # Opt-out words come first for everyone, officials too (the issue: first match wins).
    if meaning.kind not in (Kind.STOP, Kind.START) and known.official:
        staff = officials.by_mobile(session, sender.e164)
        if staff:
            return Reply(_official(session, message, staff))
    return _RULES[meaning.kind](context)


# Twilio answers its own STOP and START words itself (and refuses a reply to a number that
# just opted out): for those we record the change and say nothing. Our answers to opt-out
# words are Purpose.OPT_OUT, the one kind of text that passes an opt-out.

def _stop(c: _Context) -> Reply:
    if c.sender.e164 is None or not optouts.opt_out(c.session, c.sender.e164, _source(c)):
        return SILENCE  # confirmed once, the first time
    return _about_opt_out(c, "sms_opted_out")


def _start(c: _Context) -> Reply:
    if c.sender.e164 is not None and not optouts.opt_in(c.session, c.sender.e164, _source(c)):
        # Twilio stopped this number and keeps blocking it until it sends START: say so
        # rather than promise texts that would not arrive (Twilio may refuse this one too).
        return Reply(render("sms_start_at_twilio", c.language), Purpose.OPT_OUT)
    return _about_opt_out(c, "sms_opted_in")


def _source(c: _Context) -> OptOutSource:
    return OptOutSource.TWILIO if c.meaning.twilio_keyword else OptOutSource.OURS


def _about_opt_out(c: _Context, key: str) -> Reply:
    """Our confirmation, or nothing for Twilio's own words (Twilio confirms those)."""
    return SILENCE if c.meaning.twilio_keyword else Reply(render(key, c.language), Purpose.OPT_OUT)


def _help(c: _Context) -> Reply:
    return Reply(render("sms_help", c.language))


def _status(c: _Context) -> Reply:
    try:
        status = lookup.public_status(c.session, c.meaning.code or "")
    except InvalidCode:
        return Reply(render("sms_bad_code", c.language))
    except TicketNotFound:
        return Reply(render("sms_unknown_code", c.language, code=c.meaning.code))
    ticket = lookup.find_by_code(c.session, status.code)
    yours = c.sender.e164 is not None and ticket.caller == c.sender.e164
    if yours:
        c.message.ticket = ticket
    # An agency without an English name is named in Persian (the reply is UCS-2 then).
    agency = (status.agency_en if c.language == "en" else None) or status.agency_fa
    values = dict(code=status.code, status=status.label(c.language),
                  agency=agency or render("sms_no_agency", c.language),
                  time=moment(status.last_step_at, c.language))
    if yours and status.remaining is not None:  # only the complainant learns more
        left = duration(status.remaining, c.language)
        return Reply(fit("sms_status_yours", c.language, "agency", left=left, **values))
    return Reply(fit("sms_status", c.language, "agency", **values))


def _score(c: _Context) -> Reply:
    number, score = c.sender.e164, c.meaning.score or 0
    pending = survey_answers.pending_survey(c.session, number) if number else None
    asked = _open_question(c)
    if asked is not None and questions.answers_question(c.session, asked[1], pending):
        found = questions.read_answer(c.session, asked[1].asking or "", c.message.body)
        if found is not None:
            return _answer(c, *asked, found)
    if pending is not None and survey_answers.answer(c.session, pending, score, c.message):
        return Reply(render("sms_survey_thanks", pending.language, code=pending.code, score=score))
    # A second digit soon after an answer (a change of mind, a retyped one) is about that
    # survey, as a text soon after a complaint is about the complaint.
    answered = survey_answers.answered_since(c.session, number, c.now - threads.WINDOW) if number else None
    if answered is None:
        return _text(c)  # a lone digit with no survey waiting is just a text
    c.message.ticket = answered
    return Reply(render("sms_survey_already", answered.language, code=answered.code))


def _text(c: _Context) -> Reply:
    # A question the console texted them is answered first: the citizen was asked.
    asked = asking.awaiting(c.session, c.sender.e164, c.now) if c.known.questioned and c.sender.e164 else None
    if asked is not None:
        asking.take_answer(c.session, asked, c.message, c.media)
        return Reply(render("sms_answer_received", asked.ticket.language, code=asked.ticket.code))
    ticket = _recent(c)
    if ticket is None:
        return _new_complaint(c)
    state = questions.open_question(c.session, ticket)
    if state is not None and not c.media:
        found = questions.read_answer(c.session, state.asking or "", c.message.body)
        if found is not None:
            return _answer(c, ticket, state, found)
    threads.append(c.session, ticket, c.message, c.media)
    if state is not None and (c.message.body or "").strip():
        questions.ignore(c.session, ticket, state, c.now)  # a photo alone leaves it open
    return Reply(render("sms_appended", ticket.language, code=ticket.code))


def _recent(c: _Context) -> Ticket | None:
    """The open ticket the sender opened within the thread window, if any."""
    return c.session.get(Ticket, c.known.recent) if c.known.recent is not None else None


def _open_question(c: _Context) -> tuple[Ticket, TriageState] | None:
    """The sender's recent ticket and the question open to them on it, if any."""
    ticket = _recent(c)
    state = questions.open_question(c.session, ticket) if ticket is not None else None
    return (ticket, state) if ticket is not None and state is not None else None


def _answer(c: _Context, ticket: Ticket, state: TriageState, found: questions.Answer) -> Reply:
    """The citizen answered where the complaint goes: thank them, and ask the next question."""
    c.message.ticket = ticket
    following = questions.answer(c.session, ticket, state, found, c.now, link_base=c.link_base)
    if following is not None:
        return Reply(render("answer_next", ticket.language, ask=_question(c, following, ticket.language)))
    return Reply(render("answer_done", ticket.language, code=ticket.code))


def _question(c: _Context, field: str, language: str) -> str:
    """The text of the question on `field`: the service menu on the IVR's keys, or the province."""
    if field == "sector":
        return render("question_sector", language, menu=sector_menu(c.known.menu, language))
    return render("question_province", language)


def _new_complaint(c: _Context) -> Reply:
    complaint = Complaint(via=Via.SMS, caller=c.message.number, text=c.message.body or None,
                          language=c.language, media=c.media, origin=c.message)
    try:
        # Registered as of its arrival: the hour's count, and the deadline, run from then.
        opened = register(c.session, complaint, c.rules, now=c.now)
    except TooManyComplaints:
        if inbox.told_to_wait(c.session, c.message.number, c.now - PLEASE_WAIT_EVERY):
            return SILENCE
        return Reply(render("sms_please_wait", c.language), Purpose.PLEASE_WAIT)
    except Blocked:
        return SILENCE
    except EmptyComplaint:
        return Reply(render("sms_help", c.language))
    return _registered(c, opened)


def _registered(c: _Context, opened: Opened) -> Reply:
    """The tracking code, with the first question when the text does not say where the
    complaint goes (asked only of a number our texts reach: the answer must be able to come)."""
    ticket = opened.ticket
    # The sender is the caller: whether they opted out was read with the rest (senders.about).
    asked = None if c.known.opted_out else questions.ask(ticket, opened.placement, c.now)
    if asked is None:
        return Reply(render("tracking_code", ticket.language, code=ticket.code))
    question = _question(c, asked.field, ticket.language)
    return Reply(render("registered_ask", ticket.language, code=ticket.code, ask=question), carried=asked.writes)


_RULES: dict[Kind, Callable[[_Context], Reply]] = {
    Kind.STOP: _stop, Kind.START: _start, Kind.HELP: _help, Kind.STATUS: _status,
    Kind.SCORE: _score, Kind.TEXT: _text,
}


def _official(session: Session, message: Message, staff: list[Official]) -> str:
    """An official's registered mobile answers tickets, and only that (after opt-out words)."""
    command = read_official(message.body)
    if command is None:
        return render("official_usage", "fa")
    try:
        ticket = officials.answer(session, staff, command.code, command.result, message)
    except InvalidCode:
        return render("sms_bad_code", "fa")
    except TicketNotFound:
        return render("sms_unknown_code", "fa", code=command.code)
    except officials.NotYourTicket as refused:
        if refused.now_with is not None:
            return fit("official_moved", "fa", "agency", code=command.code, agency=refused.now_with.name_fa)
        return render("official_not_yours", "fa", code=command.code)
    except IllegalTransition:
        ticket = lookup.find_by_code(session, command.code)
        return render("official_not_now", "fa", code=ticket.code, status=lookup.STATUS_LABELS[ticket.status][0])
    return render("official_acknowledged" if command.result is None else "official_resolved", "fa",
                  code=ticket.code)
