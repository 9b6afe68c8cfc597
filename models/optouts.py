"""Numbers that asked not to be texted (STOP, لغو …) and asked again (START, شروع)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.messages import OptOut
from models.outgoing import opted_out


def opt_out(session: Session, number: str) -> bool:
    """Stop texting `number` (in the caller's transaction); False if it already was."""
    if opted_out(session, number):
        return False
    try:
        # Two STOPs at once: the primary key lets one in, the other finds it done.
        with session.begin_nested():
            session.add(OptOut(number=number))
    except IntegrityError:
        return False
    return True


def opt_in(session: Session, number: str) -> bool:
    """Text `number` again (in the caller's transaction); False if it was not opted out."""
    return session.execute(delete(OptOut).where(OptOut.number == number)).rowcount > 0
