"""The ticket lifecycle: which status may follow which, in one table, and the one move function."""

from __future__ import annotations

from datetime import datetime

from models.base import utcnow
from models.errors import IllegalTransition
from models.tickets import Ticket, TicketStatus, record

S = TicketStatus

# Every way out of the triage of an open ticket: out of scope, a duplicate, abuse.
_TRIAGE = {S.REJECTED, S.DUPLICATE, S.NUISANCE}

ALLOWED: dict[TicketStatus, frozenset[TicketStatus]] = {
    S.REGISTERED: frozenset({S.REFERRED, *_TRIAGE}),
    # REFERRED -> REFERRED is a reassignment to another agency.
    S.REFERRED: frozenset({S.REFERRED, S.ACKNOWLEDGED, S.ESCALATED, S.RESOLVED, *_TRIAGE}),
    S.ACKNOWLEDGED: frozenset({S.REFERRED, S.ESCALATED, S.RESOLVED, *_TRIAGE}),
    S.ESCALATED: frozenset({S.REFERRED, S.ACKNOWLEDGED, S.ESCALATED, S.RESOLVED, *_TRIAGE}),
    # A disputed result reopens the ticket, before or after the survey closed it.
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.REFERRED, S.ACKNOWLEDGED, S.ESCALATED, S.RESOLVED, *_TRIAGE}),
    S.REJECTED: frozenset(),
    S.DUPLICATE: frozenset(),
    S.NUISANCE: frozenset(),
}

OPEN = frozenset({S.REGISTERED, S.REFERRED, S.ACKNOWLEDGED, S.ESCALATED, S.REOPENED})
"""Statuses in which the three-hour clock runs (once referred; a reopened ticket's anew)."""

_STAGE_STAMP = {
    S.REFERRED: "referred_at",
    S.ACKNOWLEDGED: "acknowledged_at",
    S.ESCALATED: "escalated_at",
    S.RESOLVED: "resolved_at",
    S.CLOSED: "closed_at",
    S.REJECTED: "closed_at",
    S.DUPLICATE: "closed_at",
    S.NUISANCE: "closed_at",
}


def can_move(current: TicketStatus, target: TicketStatus) -> bool:
    """True when the lifecycle allows going from `current` to `target`."""
    return target in ALLOWED[TicketStatus(current)]


def move(ticket: Ticket, target: TicketStatus, *, actor: str = "system",
         note: str | None = None, at: datetime | None = None, **data: object) -> None:
    """Move the ticket to `target`, stamp the stage's time and append it to the timeline."""
    at = at or utcnow()
    previous = TicketStatus(ticket.status)
    for column, value in step(ticket, target, at).items():
        setattr(ticket, column, value)
    record(ticket, target, actor=actor, note=note, at=at, previous=previous.value, **data)


def step(ticket: Ticket, target: TicketStatus, at: datetime) -> dict[str, object]:
    """The columns moving the ticket to `target` at `at` sets (its status, the stage's time),
    for `move` or a hot path's own write; IllegalTransition when the lifecycle forbids it."""
    current = TicketStatus(ticket.status)
    if not can_move(current, target):
        raise IllegalTransition(
            f"ticket {ticket.code} cannot go from {current.value} to {target.value}"
        )
    values: dict[str, object] = {"status": target, "last_step_at": at}
    stamp = _STAGE_STAMP.get(target)
    # The first acknowledgement or referral is the one report cards measure.
    if stamp and (getattr(ticket, stamp) is None or target in (S.ESCALATED, S.CLOSED)):
        values[stamp] = at
    return values
