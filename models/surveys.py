"""Satisfaction survey answers (1-5): one per ticket, the latest round's (see `round`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class SurveyAnswer(Base):
    """The citizen's score of how their complaint was handled."""

    __tablename__ = "survey_answers"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    score: Mapped[int]
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    round: Mapped[int] = mapped_column(default=0, server_default="0")
    """The ticket's `reopens` when this was answered: a reopened ticket's next answer replaces
    it (each score stays on the timeline), so the report cards read the standing one."""
