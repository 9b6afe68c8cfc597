"""SMS messages in and out, opt-outs, and the rules for whom we may text."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.tickets import Ticket


class Direction(StrEnum):
    """Which way a message went."""

    IN = "in"
    OUT = "out"


class MessageStatus(StrEnum):
    """An SMS's state. Outbound ones only move forward through DELIVERY_ORDER."""

    RECEIVED = "received"  # inbound: taken in
    PENDING = "pending"  # outbound: written, waiting for the send job
    NO_PROVIDER = "no_provider"  # outbound: not sent, no SMS provider is configured
    NO_ROUTE = "no_route"  # outbound: not sent, no route in FOAD_SMS_ROUTES covers the number
    OPTED_OUT = "opted_out"  # outbound: not sent, the number asked us to stop
    SENDING = "sending"  # a send job has claimed it
    QUEUED = "queued"  # the provider accepted it
    SENT = "sent"  # the provider handed it to the carrier
    DELIVERED = "delivered"  # the handset has it
    UNDELIVERED = "undelivered"  # the carrier gave up
    FAILED = "failed"  # the provider refused or gave up


DELIVERY_ORDER = {
    MessageStatus.PENDING: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.QUEUED: 2,
    MessageStatus.SENT: 3,
    MessageStatus.DELIVERED: 4,
    MessageStatus.UNDELIVERED: 4,
    MessageStatus.FAILED: 4,
}
"""How far along each status is: a late callback never moves a message backwards."""


class Purpose(StrEnum):
    """Why we sent an outbound text."""

    TRACKING_CODE = "tracking_code"  # the code of a complaint taken by phone
    REFERRAL = "referral"  # a new case for an official
    REMINDER = "reminder"  # an official's deadline is near
    ESCALATION = "escalation"  # a case escalated to the next official
    RESULT = "result"  # the agency's answer, to the citizen
    SURVEY = "survey"  # "reply 1 to 5"
    REPLY = "reply"  # any other answer to an inbound text
    OPT_OUT = "opt_out"  # the answer to لغو or شروع: the one kind of text an opted-out number gets
    PLEASE_WAIT = "please_wait"  # past the hourly limit: "please wait", at most once an hour a number
    PHONE_CHECK = "phone_check"  # a one-time code confirming a number typed on the web page
    QUESTION = "question"  # a console user's question to the complainant; the answer joins the ticket
    REOPENED = "reopened"  # the official's case was reopened: the result was disputed


class Message(Base):
    """One SMS, inbound or outbound."""

    __tablename__ = "messages"
    __table_args__ = (
        # The send job and console list pending outbound messages.
        Index("ix_messages_direction_status", "direction", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[Direction] = mapped_column(String(3))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    number: Mapped[str] = mapped_column(String(20), index=True)
    """The citizen's or official's number in E.164 (the sender in, the recipient out)."""
    service_number: Mapped[str | None] = mapped_column(String(20))
    """Our side: the number the message was sent to or from."""
    body: Mapped[str] = mapped_column(Text, default="")
    purpose: Mapped[str | None] = mapped_column(String(20))
    provider: Mapped[str | None] = mapped_column(String(20))
    provider_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    """Twilio's MessageSid, or the SMSC's message_id (an inbound SMPP text: a digest of its
    PDU): the key that makes webhook retries and send retries harmless."""
    status: Mapped[MessageStatus] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    reply: Mapped[str | None] = mapped_column(Text)
    """Inbound: the answer decided by the answer job ("" for none); None until then, and
    once set the message is never answered again."""
    media: Mapped[list[list[str]] | None] = mapped_column(JSON(none_as_null=True))
    """Inbound: [URL, content type] of each attachment as the provider gave them; the
    answer job files them on a ticket."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    """Outbound: who holds the send ("outbox-17", the RQ job; "sweep"); see models.sending."""
    claimed_at: Mapped[datetime | None]
    """Outbound: when that holder took the row; a row "sending" long after is stuck."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    ticket: Mapped[Ticket | None] = relationship()


class OptOutSource(StrEnum):
    """Who stopped the texts to a number, which says who can start them again."""

    OURS = "ours"  # our own words (لغو, توقف): our شروع resumes
    TWILIO = "twilio"  # Twilio's words (STOP …) or its 21610 refusal: Twilio blocks until START


class OptOut(Base):
    """A number that asked not to be texted (STOP, لغو ...)."""

    __tablename__ = "opt_outs"

    number: Mapped[str] = mapped_column(String(20), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[OptOutSource] = mapped_column(String(10), server_default=OptOutSource.TWILIO.value)
    """Rows from before sources were kept read as Twilio's: then شروع asks for START, which
    lifts either kind, where a wrong "ours" would promise texts Twilio still blocks."""
