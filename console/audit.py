"""The audit log of replays: who played which recording or opened which attachment, and when."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from console import access
from foad.app import db
from models.calls import Call
from models.tickets import Ticket
from models.users import Playback

bp = Blueprint("audit", __name__, url_prefix="/console")

PAGE_SIZE = 100
"""Entries on one page of the audit log."""


@bp.get("/audit")
@access.roles_required(access.SUPERVISOR)
def index():
    """Playbacks, newest first, optionally of one ticket (`?ticket=<code>`)."""
    session = db()
    asked = request.args.get("page", "1")
    page = int(asked) if asked.isdigit() and int(asked) > 0 else 1
    # Outer joins: a call that never became a ticket is replayed without one.
    query = (select(Playback, Ticket.code, Call.uniqueid)
             .outerjoin(Ticket, Ticket.id == Playback.ticket_id)
             .outerjoin(Call, Call.id == Playback.call_id))
    code = request.args.get("ticket", "").strip()
    if code:
        query = query.where(Ticket.code == code)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    entries = session.execute(query.order_by(Playback.at.desc(), Playback.id.desc())
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).unique().all()
    return render_template("audit.html", entries=entries, total=total, page=page,
                           page_size=PAGE_SIZE, code=code)
