"""Which tickets a console user may see: supervisors all, an inspector their agency's and
those of every agency below it in the directory, an admin none."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agencies import Agency
from models.tickets import Ticket
from models.users import User, UserRole


def subtree(session: Session, root_id: int) -> frozenset[int]:
    """`root_id` and every agency below it in the directory."""
    children: dict[int | None, list[int]] = {}
    for agency_id, parent_id in session.execute(select(Agency.id, Agency.parent_id)):
        children.setdefault(parent_id, []).append(agency_id)
    found, todo = {root_id}, [root_id]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:  # a cycle in a hand-edited directory must not hang us
                found.add(child)
                todo.append(child)
    return frozenset(found)


def scope(session: Session, user: User) -> frozenset[int] | None:
    """The agency ids whose tickets `user` may see; None means all of them."""
    if user.role == UserRole.SUPERVISOR:
        return None
    if user.role != UserRole.INSPECTOR or user.agency_id is None:
        return frozenset()
    return subtree(session, user.agency_id)


def sees(session: Session, user: User, ticket: Ticket) -> bool:
    """True when `user` may open `ticket`."""
    ids = scope(session, user)
    return ids is None or ticket.agency_id in ids


def watchers(session: Session, ticket: Ticket) -> list[User]:
    """The active console users who may see `ticket` and work on tickets: every supervisor,
    and the inspectors of its agency and of the agencies above it."""
    above = _ancestors(session, ticket.agency_id)
    users = session.scalars(select(User).where(User.active.is_(True), User.role.in_(
        [UserRole.SUPERVISOR, UserRole.INSPECTOR])).order_by(User.name)).unique()
    return [u for u in users if u.role == UserRole.SUPERVISOR or u.agency_id in above]


def _ancestors(session: Session, agency_id: int | None) -> frozenset[int]:
    """`agency_id` and the agencies above it (none for a ticket not yet routed)."""
    parents = dict(session.execute(select(Agency.id, Agency.parent_id)).all())
    found: set[int] = set()
    while agency_id is not None and agency_id not in found:
        found.add(agency_id)
        agency_id = parents.get(agency_id)
    return frozenset(found)
