"""Numbers that asked not to be texted (STOP, لغو …) and asked again (START, شروع).

Twilio keeps its own list: after its STOP words (or once it refused a text with 21610) it
blocks every text to the number until the number sends START, whatever we record. So each
opt-out remembers its source, and our شروع lifts only our own.
"""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.messages import OptOut, OptOutSource
from models.outgoing import forget_opted_out, opted_out


def opt_out(session: Session, number: str, source: OptOutSource) -> bool:
    """Stop texting `number` (in the caller's transaction); False if it already was."""
    if not opted_out(session, number):
        forget_opted_out(session, number)
        try:
            with session.begin_nested():
                session.add(OptOut(number=number, source=source))
            return True
        except IntegrityError:
            pass  # two at once: the primary key let the other in
    if source is OptOutSource.TWILIO:
        # Twilio blocks the number now, whoever stopped it first: only its START lifts that.
        session.execute(update(OptOut).where(OptOut.number == number).values(source=source))
    return False


def opt_in(session: Session, number: str, source: OptOutSource) -> bool:
    """Text `number` again if `source` may lift its opt-out (Twilio's START lifts any, our
    شروع only ours), in the caller's transaction; True when the number may be texted now."""
    lifted = delete(OptOut).where(OptOut.number == number)
    if source is OptOutSource.OURS:
        lifted = lifted.where(OptOut.source == OptOutSource.OURS)
    session.execute(lifted)
    forget_opted_out(session, number)
    return not opted_out(session, number)
