"""A supervisor's action on many tickets at once: each ticket as if alone, each refusal kept."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Iterable

from sqlalchemy.orm import Session

from models import actions, routing
from models.agencies import Agency
from models.errors import DomainError
from models.tickets import Ticket

log = logging.getLogger(__name__)


@dataclass
class Bulk:
    """What a bulk action did: the codes done, and the refused ones with the rule's words."""

    done: list[str] = field(default_factory=list)
    refused: dict[str, DomainError] = field(default_factory=dict)


def acknowledge_all(session: Session, tickets: Iterable[Ticket], *, actor: str) -> Bulk:
    """Acknowledge each ticket (each commits on its own)."""
    return _each(session, tickets, lambda t: actions.acknowledge(session, t, actor=actor))


def reassign_all(session: Session, tickets: Iterable[Ticket], agency: Agency, *, actor: str,
                 link_base: str = "") -> Bulk:
    """Send each ticket to `agency` (each commits on its own; the clocks keep running)."""
    return _each(session, tickets,
                 lambda t: routing.reassign(session, t, agency, actor, link_base=link_base))


def _each(session: Session, tickets: Iterable[Ticket], act: Callable[[Ticket], object]) -> Bulk:
    outcome = Bulk()
    for ticket in tickets:
        code = ticket.code
        try:
            act(ticket)
        except DomainError as refused:
            session.rollback()
            outcome.refused[code] = refused
            log.info("bulk action refused for a ticket", extra={"ticket": code, "reason": str(refused)})
        else:
            outcome.done.append(code)
    return outcome
