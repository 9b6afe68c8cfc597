"""Asking a texter where the complaint goes: its service, then its province, one at a time.

The SMS channel puts the first question in the tracking-code reply (`ask`) and reads the
texts that follow (`open_question`, `read_answer`): an answer sets the field, asks the next
question or lets routing go; anything else joins the complaint as before and nothing more is
asked (`ignore`). Two questions at most, none asked again once ignored.

A lone digit could also answer a satisfaction survey: it answers whichever was asked last
(`answers_question`), so a survey sent after the question takes it, and a question put after
a survey went out takes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from models import placing, routing
from models.events import Event
from models.locking import locked
from models.messages import Direction, Message, Purpose
from models.persian import PUNCTUATION, normalize
from models.placing import TriageState
from models.provinces import by_area_code
from models.sectors import sector_keys
from models.carrying import Carried
from models.tickets import Ticket, TicketEvent, TicketStatus, entry_write, event_row, record
from models.triage import Known, directory_index, triage
from models.triage.knowledge import Place, knowledge
from models.triage.tokens import tokenize

MAX_QUESTIONS = 2
"""Questions a ticket's citizen is asked at most."""
ANSWER_WORDS = 4
"""An answer by name is this short; a longer text is more of the complaint (and read as such)."""
OTHER_SERVICE = frozenset({"سایر", "دیگر", "هیچکدام", "other", "none"})
"""Words that answer "which service?" as the menu's last key does: none of these."""


@dataclass(frozen=True)
class Answer:
    """What a citizen's text answers: the field, its value, and the words as typed."""

    field: str
    value: str | None
    """A sector code (None: another service), or a province code."""
    words: str
    county: str | None = None
    """A county, when the province was answered with a county's or a city's name."""


@dataclass(frozen=True)
class Asked:
    """The first question put to a new ticket's citizen, and the writes that record it: its
    triage row and its timeline entry, for the statement that texts the question to carry
    (`models.carrying`: one round trip with the text on PostgreSQL)."""

    field: str
    writes: Carried


def ask(ticket: Ticket, placement: placing.Placement | None, at: datetime) -> Asked | None:
    """The first question the placement leaves to the citizen (the caller texts it) on a
    ticket this transaction opened, None when there is nothing to ask: every SMS complaint
    whose words leave a question comes here. Nothing is written until `Asked.writes` are."""
    if placement is None or not placement.asks:
        return None
    state = TriageState(ticket_id=ticket.id, fixed="", asked=0)  # a ticket this new has none: not read
    state.fix(*placement.fixed)
    field = _put(state, placement.asks[0], at)
    entry = entry_write(ticket.id, event_row(Event.QUESTION_ASKED, at=at, field=field, question=state.asked))
    return Asked(field, [entry, (_NEW_STATE, {f"state_{column}": getattr(state, column)
                                                         for column in _STATE_COLUMNS})])


_STATES = TriageState.__table__
_STATE_COLUMNS = tuple(column.key for column in _STATES.columns)
_NEW_STATE = insert(_STATES).values({name: bindparam(f"state_{name}", type_=_STATES.c[name].type)
                                     for name in _STATE_COLUMNS})
"""The triage row's INSERT, built once (carried with the question's text on PostgreSQL)."""


def _put(state: TriageState, field: str, at: datetime) -> str:
    state.asking, state.asked, state.last_asked_at = field, state.asked + 1, at
    state.asked_at = state.asked_at or at
    return field


def open_question(session: Session, ticket: Ticket) -> TriageState | None:
    """The ticket's question still open to its citizen, locked with the ticket (fresh: the
    routing job may have referred it meanwhile); None when none is."""
    state = session.get(TriageState, ticket.id, populate_existing=True)
    if state is None or state.asking is None:
        return None
    locked(session, Ticket, ticket.id)
    return session.get(TriageState, ticket.id, with_for_update=True, populate_existing=True)


def answers_question(session: Session, state: TriageState, surveyed: Ticket | None) -> bool:
    """Whether a lone digit answers the open question rather than the pending survey of
    `surveyed`: the one asked last takes it."""
    if surveyed is None:
        return True
    sent = session.scalar(select(func.max(Message.created_at)).where(
        Message.ticket_id == surveyed.id, Message.direction == Direction.OUT, Message.purpose == Purpose.SURVEY))
    return sent is None or (state.last_asked_at is not None and state.last_asked_at > sent)


def read_answer(session: Session, field: str, text: str) -> Answer | None:
    """What `text` answers to the question on `field`, None when it is no answer: a menu key or
    a service's name; an area code ("21", "۰۸۱") or a province's, county's or city's name."""
    clean = normalize(text).strip(PUNCTUATION)
    if not clean or len(tokenize(clean)) > ANSWER_WORDS:
        return None
    if field == "sector":
        return _service(session, clean)
    if clean.isdigit():
        province = by_area_code(clean) if len(clean) <= 3 else None
        return Answer("province", province.code, clean) if province else None
    return _place(clean)


def _service(session: Session, clean: str) -> Answer | None:
    if clean.isdigit():
        keys = sector_keys(session)
        return Answer("sector", keys[clean], clean) if clean in keys else None
    if clean.lower() in OTHER_SERVICE:
        return Answer("sector", None, clean)
    reading = triage(clean, Known(), directory_index(session))
    return Answer("sector", reading.sector.value, clean) if reading.is_confident("sector") else None


def _place(clean: str) -> Answer | None:
    """A province named alone, or with a cue word ("استان همدان", "شهر ملایر"): the question is
    the cue, so names that are also common words count here."""
    kb, tokens = knowledge(), tokenize(clean)
    hits = kb.places.find(tokens)
    covered = {i for hit in (*hits, *kb.cues.find(tokens)) for i in range(hit.start, hit.end)}
    places: set[Place] = {hit.entry.extra for hit in hits}
    if not places or len(covered) < len(tokens) or len({p.province for p in places}) != 1:
        return None
    counties = {p.county for p in places}
    county = counties.pop() if len(counties) == 1 else None
    return Answer("province", places.pop().province, clean, county)


def answer(session: Session, ticket: Ticket, state: TriageState, found: Answer, at: datetime, *,
           link_base: str = "") -> str | None:
    """Set what the citizen answered and ask the next question: the field asked next, None
    when the questions are over (then routing goes on at once)."""
    _set(ticket, state, found)
    record(ticket, Event.QUESTION_ANSWERED, actor="citizen", at=at, field=found.field,
           value=found.value, county=found.county, words=found.words)
    if ticket.status == TicketStatus.REGISTERED and found.field == "province":
        placing.reread(session, ticket, state, at)  # a named agency moves to its office there
    following = [f for f in placing.asks(ticket, state.fixed_fields) if f not in state.fixed_fields]
    if following and state.asked < MAX_QUESTIONS and ticket.status == TicketStatus.REGISTERED:
        field = _put(state, following[0], at)
        record(ticket, Event.QUESTION_ASKED, at=at, field=field, question=state.asked)
        return field
    _settle(session, ticket, state, at, link_base)
    return None


def _set(ticket: Ticket, state: TriageState, found: Answer) -> None:
    if found.field == "sector":
        ticket.sector_code = found.value
        state.fix("sector")
        return
    ticket.province_code = found.value
    state.fix("province")
    if found.county is not None:
        ticket.county = found.county
        state.fix("county")


def ignore(session: Session, ticket: Ticket, state: TriageState, at: datetime) -> None:
    """The citizen wrote something other than an answer (the caller added it to the complaint):
    nothing more is asked, the grown text is read again, and routing goes on at once."""
    record(ticket, Event.QUESTION_IGNORED, actor="citizen", at=at, field=state.asking)
    if ticket.status == TicketStatus.REGISTERED:
        placing.reread(session, ticket, state, at)
    _settle(session, ticket, state, at, "")


def _settle(session: Session, ticket: Ticket, state: TriageState, at: datetime, link_base: str) -> None:
    """No question is open any more: a registered ticket is routed now; one the wait already sent
    on with what it had moves where the answer says, if nobody took it up since."""
    state.asking = None
    if ticket.status == TicketStatus.REGISTERED:
        placing.route_now(session, ticket)
    elif state.gave_up_at is not None and _untouched(session, ticket):
        agency, rule = routing.by_rules(session, ticket)
        if agency.id != ticket.agency_id:
            routing.move_to(session, ticket, agency, "citizen", link_base=link_base, at=at, rule=rule)


def _untouched(session: Session, ticket: Ticket) -> bool:
    """Still referred where routing sent it: nobody acknowledged it, moved it or escalated it."""
    last = session.scalar(select(TicketEvent.actor).where(
        TicketEvent.ticket_id == ticket.id, TicketEvent.kind == TicketStatus.REFERRED)
        .order_by(TicketEvent.id.desc()).limit(1))
    return ticket.status == TicketStatus.REFERRED and last == "system"
