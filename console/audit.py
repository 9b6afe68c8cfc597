"""The audit log of replays: who played which recording or opened which attachment, and when."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping

from flask import Blueprint, render_template, request
from sqlalchemy import Select, select

from console import access
from console.filters import date_problems, day_range, page_number
from console.runtime import db
from console.ticket_list import count
from models import tracking
from models.calls import Call
from models.errors import InvalidCode
from models.tickets import Ticket
from models.users import Playback, User

bp = Blueprint("audit", __name__, url_prefix="/console")

PAGE_SIZE = 100
"""Entries on one page of the audit log."""


@dataclass(frozen=True)
class AuditFilter:
    """What the audit log was asked to show; every field optional."""

    ticket: str = ""
    """A tracking code as typed: dashes, spaces, Persian or Arabic-Indic digits are fine."""
    user: str = ""
    """A console user's name."""
    since: str = ""
    until: str = ""
    page: int = 1
    code: str = ""
    """`ticket` read as a tracking code ("" when none or not one)."""
    problems: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "AuditFilter":
        """The filter in a request's query string; bad dates and codes are dropped and named."""
        found = cls(ticket=args.get("ticket", "").strip(), user=args.get("user", "").strip(),
                    since=args.get("since", "").strip(), until=args.get("until", "").strip(),
                    page=page_number(args))
        code, problems = _code(found.ticket), date_problems(found.since, found.until)
        if found.ticket and not code:
            problems += (f"کد رهگیری «{found.ticket}» درست نیست.",)
        return replace(found, code=code, problems=problems)

    def query(self) -> Select:
        """The matching playbacks with their ticket's code and call's uniqueid, newest first."""
        # Outer joins: a call that never became a ticket is replayed without one.
        query = (select(Playback, Ticket.code, Call.uniqueid)
                 .outerjoin(Ticket, Ticket.id == Playback.ticket_id)
                 .outerjoin(Call, Call.id == Playback.call_id))
        if self.code:
            query = query.where(Ticket.code == self.code)
        if self.user:
            user_id = select(User.id).where(User.name == self.user).scalar_subquery()
            query = query.where(Playback.user_id == user_id)
        query = query.where(*day_range(Playback.at, self.since, self.until))
        return query.order_by(Playback.at.desc(), Playback.id.desc())


def _code(text: str) -> str:
    try:
        return tracking.parse(text) if text else ""
    except InvalidCode:
        return ""


@bp.get("/audit")
@access.roles_required(access.SUPERVISOR)
def index():
    """Playbacks, newest first, filtered by ticket, user and Jalali dates."""
    session = db()
    chosen = AuditFilter.from_args(request.args)
    query = chosen.query()
    entries = session.execute(query.limit(PAGE_SIZE).offset((chosen.page - 1) * PAGE_SIZE)).unique().all()
    users = session.scalars(select(User.name).order_by(User.name)).all()
    return render_template("audit.html", entries=entries, total=count(session, query), page=chosen.page,
                           page_size=PAGE_SIZE, f=chosen, users=users)
