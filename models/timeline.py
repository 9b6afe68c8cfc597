"""What jobs and pages ask of a ticket's timeline (which they only append to otherwise).

A reopened ticket starts a new round: its result is texted again, its survey sent again,
so those rules ask about the events since the ticket's last `reopened` event (`in_round`).
The console shows the timeline through `shown`, which names people and folds what one
send of a result became into one entry.
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session, aliased

from models.agencies import Official
from models.events import Event
from models.tickets import TicketEvent, TicketStatus
from models.users import User

REOPENED = TicketStatus.REOPENED.value


def has_event(session: Session, ticket_id: int, *kinds: str) -> bool:
    """True when the ticket's timeline has an event of one of these kinds."""
    found = select(TicketEvent.id).where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind.in_(kinds))
    return bool(session.scalar(select(exists(found))))


def in_round(session: Session, ticket_id: int, *kinds: str) -> bool:
    """True when the ticket has an event of one of these kinds since it was last reopened."""
    return bool(session.scalar(select(exists(round_events(ticket_id, *kinds)))))


def round_events(ticket: int | ColumnElement[int], *kinds: str, what: ColumnElement | None = None) -> Select:
    """`what` (the ids) of the events of `kinds` in the current round of `ticket`: an id, or
    a column such as Ticket.id to correlate a sweep's query with."""
    earlier = aliased(TicketEvent)
    start = (select(func.coalesce(func.max(earlier.id), 0))
             .where(earlier.ticket_id == TicketEvent.ticket_id, earlier.kind == REOPENED).scalar_subquery())
    return select(TicketEvent.id if what is None else what).where(
        TicketEvent.ticket_id == ticket, TicketEvent.kind.in_(kinds), TicketEvent.id > start)


def shown(events: Iterable[TicketEvent]) -> list[TicketEvent]:
    """The timeline as people read it: a result text later found undeliverable shows only
    as "the result waits", never also as "the result was texted"."""
    events = list(events)
    lost = {e.data.get("message") for e in events if e.kind == Event.RESULT_WAITS and e.data}
    lost.discard(None)
    return [e for e in events if not (e.kind == Event.RESULT_TEXTED and (e.data or {}).get("message") in lost)]


def actor_names(session: Session, events: Iterable[TicketEvent]) -> dict[str, str]:
    """Each console user's and official's name by the actor string events record them by
    ("user:maryam", "official:12"); the others ("system", "citizen") are not here."""
    actors = {e.actor for e in events}
    logins = {a.partition(":")[2] for a in actors if a.startswith("user:")}
    officials = {int(a.partition(":")[2]) for a in actors
                 if a.startswith("official:") and a.partition(":")[2].isdigit()}
    names: dict[str, str] = {}
    if logins:
        for login, full in session.execute(select(User.name, User.full_name).where(User.name.in_(logins))):
            names[f"user:{login}"] = full or login
    if officials:
        for official_id, name in session.execute(select(Official.id, Official.name).where(Official.id.in_(officials))):
            names[f"official:{official_id}"] = name
    return names

