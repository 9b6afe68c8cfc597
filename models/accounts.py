"""Keeping console accounts: who may do what to whose account, and the changes that end log-ins.

One rule for every pair of roles. An account that reads tickets (a supervisor's or an
inspector's) is made or changed only by a supervisor: an admin who could make an inspector
of any agency, give one a password, or move one to another agency could log in as it and read
that agency's tickets. An admin keeps the rest: admin accounts, deactivating anyone and
ending anyone's log-ins (both only take power away), and the directory. Inspectors keep no
accounts. Nobody deactivates or re-roles themselves.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from models import logins
from models.users import User, UserRole, check_new_password

READS_TICKETS = frozenset({UserRole.SUPERVISOR, UserRole.INSPECTOR})
"""Roles whose accounts open tickets: only supervisors make or change them."""


class AccountAction(StrEnum):
    """What one console user may do to an account."""

    CREATE = "create"  # make an account with a role
    CHANGE_ROLE = "change_role"  # give it another role, or an inspector another agency
    REACTIVATE = "reactivate"
    DEACTIVATE = "deactivate"
    SET_PASSWORD = "set_password"  # give another user a new password
    END_LOGINS = "end_logins"  # log another user out everywhere


TAKES_AWAY = frozenset({AccountAction.DEACTIVATE, AccountAction.END_LOGINS})
"""Actions that only remove access: admins may take them on any account."""
NOT_ON_ONESELF = frozenset({AccountAction.DEACTIVATE, AccountAction.CHANGE_ROLE})


def may(actor: User, action: AccountAction, *, target: User | None = None, role: str | None = None) -> bool:
    """True when `actor` may take `action` on `target` (None: an account being made), giving
    it `role` where the action gives one (CREATE, CHANGE_ROLE)."""
    if target is not None and target.id == actor.id and action in NOT_ON_ONESELF:
        return False
    if actor.role == UserRole.SUPERVISOR:
        return True
    if actor.role != UserRole.ADMIN:
        return False
    if action in TAKES_AWAY:
        return True
    touched = {role, target.role if target is not None else None}
    return not touched & READS_TICKETS


def change_password(session: Session, user: User, password: str, *, keep: str | None = None) -> None:
    """Give `user` a new password, end every log-in of theirs but the one holding `keep`
    (the user's own, when they changed it themselves), and commit; DomainError when the
    password is too short."""
    check_new_password(password)
    user.set_password(password)
    logins.end_all(session, user.id, but=keep)
    session.commit()


def deactivate(session: Session, user: User) -> None:
    """Deactivate `user`: every log-in of theirs ends now and no new one begins; commit."""
    user.active = False
    logins.end_all(session, user.id)
    session.commit()
