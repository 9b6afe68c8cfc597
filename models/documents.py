"""Tickets as plain documents (dicts of JSON types), for `foad tickets … --json` and exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.calls import Call
from models.media import Media
from models.messages import Message
from models.surveys import SurveyAnswer
from models.tickets import Ticket

SUMMARY_FIELDS = (
    "code", "via", "status", "caller", "caller_kind", "caller_country", "province_code",
    "sector_code", "category_code", "language", "escalation_level",
)
STAGE_FIELDS = (
    "registered_at", "referred_at", "acknowledged_at", "escalated_at", "resolved_at",
    "closed_at", "last_step_at", "due_at",
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def summary(ticket: Ticket) -> dict[str, Any]:
    """The fields a list shows."""
    doc: dict[str, Any] = {name: getattr(ticket, name) for name in SUMMARY_FIELDS}
    doc.update({name: _iso(getattr(ticket, name)) for name in STAGE_FIELDS})
    doc["agency"] = ticket.agency.code if ticket.agency else None
    doc["official"] = ticket.official.name if ticket.official else None
    return doc


def full(session: Session, ticket: Ticket) -> dict[str, Any]:
    """Everything about a ticket: its fields, timeline, calls, messages, media and survey."""
    doc = summary(ticket)
    doc.update(text=ticket.text, voice_path=ticket.voice_path, result_text=ticket.result_text,
               county=ticket.county)
    doc["events"] = [
        {"at": _iso(e.at), "kind": e.kind, "actor": e.actor, "note": e.note, "data": e.data}
        for e in ticket.events
    ]
    doc["calls"] = [
        {"uniqueid": c.uniqueid, "line": c.line, "progress": c.progress,
         "started_at": _iso(c.started_at), "duration_s": c.duration_s,
         "recording_path": c.recording_path, "voice_path": c.voice_path}
        for c in session.scalars(select(Call).where(Call.ticket_id == ticket.id).order_by(Call.id))
    ]
    doc["messages"] = [
        {"direction": m.direction, "number": m.number, "body": m.body, "purpose": m.purpose,
         "status": m.status, "provider_id": m.provider_id, "error_code": m.error_code,
         "created_at": _iso(m.created_at)}
        for m in session.scalars(select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id))
    ]
    doc["media"] = [
        {"content_type": m.content_type, "verified_type": m.verified_type, "status": m.status, "path": m.path,
         "size": m.size, "reason": m.reason}
        for m in session.scalars(select(Media).where(Media.ticket_id == ticket.id).order_by(Media.id))
    ]
    answer = session.scalar(select(SurveyAnswer).where(SurveyAnswer.ticket_id == ticket.id))
    doc["survey_score"] = answer.score if answer else None
    return doc
