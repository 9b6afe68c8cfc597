"""What reaches a sender's phone: the answer job's reply, as the local Twilio server got it."""

from __future__ import annotations

from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from foad.devtools.twilio_api import TwilioApi
from models.messages import Direction, Message, Purpose
from worker.queues import NOTIFICATIONS, ROUTING

REPLIES = (Purpose.REPLY, Purpose.OPT_OUT, Purpose.PLEASE_WAIT)
"""The purposes of the texts the answer job queues."""


class Phones:
    """Runs the real jobs that answer inbound texts and send the replies, and reads what
    each sender's phone received. Each read ends its transaction: on SQLite any
    transaction holds the write lock that the next webhook request or job needs."""

    def __init__(self, session: Session, work: Callable[..., bool], api: TwilioApi) -> None:
        self.session, self.work, self.api = session, work, api

    def mark(self) -> int:
        """The newest message id now: what comes after it is new."""
        self.session.rollback()
        newest = self.session.scalar(select(func.max(Message.id))) or 0
        self.session.commit()
        return newest

    def answer(self, sid: str, after: int) -> str:
        """Run the answer and send jobs; the reply to message `sid` that its sender's phone
        got ("" for none), after checking it is the one reply stored and queued for it."""
        self.session.rollback()
        self.work((ROUTING, NOTIFICATIONS))
        inbound = self.inbound(sid)
        assert inbound is not None and inbound.reply is not None, "the text was not answered"
        texts = self.replies(inbound.number, after)
        if not inbound.reply:
            assert texts == []
            return ""
        [text] = texts
        assert text.body == inbound.reply
        return "".join(m.body for m in self.api.messages if m.sid == text.provider_id)

    def inbound(self, sid: str) -> Message | None:
        """The inbound message `sid` as stored now."""
        self.session.rollback()
        found = self.session.scalar(select(Message).where(Message.provider_id == sid)
                                    .execution_options(populate_existing=True))
        self.session.commit()
        return found

    def replies(self, number: str, after: int = 0) -> list[Message]:
        """The replies queued for `number` (sent or not) in messages after id `after`."""
        found = list(self.session.scalars(
            select(Message).where(Message.id > after, Message.direction == Direction.OUT,
                                  Message.number == number, Message.purpose.in_(REPLIES))
            .order_by(Message.id).execution_options(populate_existing=True)))
        self.session.commit()
        return found

    def received(self, number: str) -> list[str]:
        """Every text the local Twilio server took for `number`, oldest first."""
        return [m.body for m in self.api.messages if m.to == number]
