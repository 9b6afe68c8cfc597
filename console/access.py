"""Who may see and do what: roles, the inspector's agency subtree, masked numbers."""

from __future__ import annotations

import re
from functools import wraps
from typing import Callable, TypeVar

from flask import abort, g
from flask_login import current_user, login_required
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models import visibility
from models.agencies import FOAD_SECTOR, Agency
from models.calls import Call
from models.dispatch import Scope
from models.persian import latin_digits
from models.phones import PHONE_IN_TEXT, mask
from models.tickets import Ticket
from models.users import User, UserRole

F = TypeVar("F", bound=Callable[..., object])

SUPERVISOR, INSPECTOR, ADMIN = UserRole.SUPERVISOR, UserRole.INSPECTOR, UserRole.ADMIN
TICKET_ROLES = (SUPERVISOR, INSPECTOR)
"""Who works on tickets; admins keep users and the directory only."""
DIRECTORY_ROLES = (SUPERVISOR, ADMIN)

ACTIONS: dict[str, tuple[UserRole, ...]] = {
    "acknowledge": (SUPERVISOR, INSPECTOR),
    "resolve": (SUPERVISOR, INSPECTOR),
    "duplicate": (SUPERVISOR, INSPECTOR),
    # Moving a case between agencies and blocking a number are the supervisors' abuse and
    # routing control (BRIEF: "abuse control" is a supervisor's need).
    "reassign": (SUPERVISOR,),
    "nuisance": (SUPERVISOR,),
    # Working a ticket together: anyone who works on it writes notes, takes or gives it to a
    # colleague of its agency, and asks the citizen for a missing detail.
    "note": (SUPERVISOR, INSPECTOR),
    "assign": (SUPERVISOR, INSPECTOR),
    "ask": (SUPERVISOR, INSPECTOR),
    # Setting a result aside (the citizen disputes it) restarts the agency's clock: supervisors'.
    "reopen": (SUPERVISOR,),
    # Acknowledging or reassigning many tickets at once from the list.
    "bulk": (SUPERVISOR,),
    # Setting a complaint's category or province (on the timeline), and sending a misrouted
    # one back to the dispatcher (the working group), with a reason.
    "place": (SUPERVISOR, INSPECTOR),
    "return": (SUPERVISOR, INSPECTOR),
}
"""Which roles may take each ticket action (on tickets they can see)."""


def roles_required(*roles: UserRole) -> Callable[[F], F]:
    """A view for logged-in users with one of `roles`; anyone else gets the 403 page."""

    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def guarded(*args: object, **kwargs: object) -> object:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def scope(session: Session, user: User) -> frozenset[int] | None:
    """The agency ids whose tickets `user` may see; None means all of them."""
    if user.role == SUPERVISOR:
        return None
    if "scope" not in g:  # the directory walk is done once per request
        g.scope = visibility.scope(session, user)
    return g.scope


def visible(query: Select, session: Session, user: User) -> Select:
    """`query` on tickets narrowed to those `user` may see."""
    ids = scope(session, user)
    return query if ids is None else query.where(Ticket.agency_id.in_(ids))


def can_see(session: Session, user: User, ticket: Ticket) -> bool:
    """True when `user` may open `ticket` (a dispatcher also the waiting tickets of their queue)."""
    ids = scope(session, user)
    if ids is None or ticket.agency_id in ids:
        return True
    return ticket.agency_id is None and _covers(dispatch_scope(session, user), ticket.province_code)


def working_group_of(session: Session, user: User) -> Agency | None:
    """The FOAD working group an inspector belongs to (a dispatcher), else None."""
    if user.role != INSPECTOR or user.agency_id is None:
        return None
    agency = session.get(Agency, user.agency_id)
    return agency if agency is not None and agency.sector_code == FOAD_SECTOR else None


def dispatch_scope(session: Session, user: User) -> Scope | None:
    """Whose tickets wait in `user`'s triage queue: a supervisor's and the national working
    group's, all; a provincial working group's, its province's; None: `user` has no queue."""
    if user.role == SUPERVISOR:
        return Scope()
    group = working_group_of(session, user)
    if group is None:
        return None
    if group.province_code is None:
        return Scope()
    return Scope(provinces=frozenset({group.province_code}), agencies=scope(session, user))


def _covers(found: Scope | None, province: str | None) -> bool:
    return found is not None and (found.provinces is None or province in found.provinces)


def can_hear(session: Session, user: User, call: Call) -> bool:
    """True when `user` may replay `call`: as its ticket allows, and only supervisors when it
    never became a ticket (nothing ties it to an agency)."""
    if call.ticket is not None:
        return can_see(session, user, call.ticket)
    return user.role == SUPERVISOR


def visible_ticket(session: Session, user: User, code: str) -> Ticket:
    """The ticket with `code` if `user` may see it; else the 404 or 403 page."""
    ticket = session.scalar(select(Ticket).where(Ticket.code == code))
    if ticket is None:
        abort(404)
    if not can_see(session, user, ticket):
        abort(403)
    return ticket


def can_act(user: User, action: str) -> bool:
    """True when `user`'s role may take `action` (see ACTIONS)."""
    return user.role in ACTIONS.get(action, ())


def shows_numbers(user: User) -> bool:
    """Supervisors see callers' numbers; inspectors see them masked."""
    return user.role == SUPERVISOR


def mask_numbers(text: str | None) -> str | None:
    """`text` with every phone number in it masked: the notes of providers' errors quote them."""
    if not text:
        return text
    return PHONE_IN_TEXT.sub(lambda m: mask(re.sub(r"[ -]", "", latin_digits(m.group()))), text)
