"""What the SMS line's rules ask about an inbound text's sender, read in one round trip:
every text is answered by those rules (sms/replies.py), and most of them find nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from models import asking, officials, threads
from models.base import utcnow
from models.blocklist import blocking
from models.messages import OptOut
from models.sectors import menu_column, menu_from_text


@dataclass(frozen=True)
class Sender:
    """What is known of a sender when their text came in."""

    blocked: bool = False
    """Blocked now: the text gets no answer."""
    official: bool = False
    """An active official's registered mobile (`officials.by_mobile` says which)."""
    questioned: bool = False
    """Asked a question about an open ticket within asking's window (`asking.awaiting`
    says whether its answer may still come)."""
    recent: int | None = None
    """The open ticket they opened within the thread window (`threads.WINDOW`), newest."""
    opted_out: bool = False
    """Asked not to be texted (a new complaint of theirs is asked no question)."""
    menu: dict[str, str | None] = field(default_factory=dict)
    """The service menu (`models.sectors.sector_keys`) when the text came, read with the
    rest: a new complaint's reply may ask which service it is about. Empty for NOBODY."""


NOBODY = Sender()
"""A sender without a number: nothing is known of them."""

_ABOUT = select(
    blocking(bindparam("number"), bindparam("now")).exists().label("blocked"),
    officials.serving(bindparam("number")).exists().label("official"),
    asking.open_questions(bindparam("number"), bindparam("asked_since")).exists().label("questioned"),
    threads.recent_ids(bindparam("number"), bindparam("thread_since")).limit(1).scalar_subquery().label("recent"),
    select(OptOut.number).where(OptOut.number == bindparam("number")).exists().label("opted_out"),
    menu_column().label("menu"),
)
"""The five questions and the menu in one statement, built once."""


def about(session: Session, number: str, at: datetime) -> Sender:
    """What is known of `number` (E.164) for its text that came in at `at`."""
    row = session.execute(_ABOUT, {"number": number, "now": utcnow(), "asked_since": at - asking.ASK_WINDOW,
                                   "thread_since": at - threads.WINDOW}).one()
    return Sender(bool(row.blocked), bool(row.official), bool(row.questioned), row.recent, bool(row.opted_out),
                  menu_from_text(row.menu))
