"""The live ticket list and the ticket page."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from console import access, sessions
from console.ticket_list import COUNT_CAP, PAGE_SIZE, TicketFilter, count
from foad.app import db, runtime_of
from models.agencies import Agency
from models.base import utcnow
from models.calls import Call
from models.lifecycle import OPEN
from models.media import Media, MediaStatus
from models.messages import Message
from models.provinces import PROVINCES
from models.surveys import SurveyAnswer
from models.tickets import Ticket, TicketStatus, Via

bp = Blueprint("tickets", __name__, url_prefix="/console")


@bp.get("/")
def home():
    """The console's front page is the ticket list (or, for admins, the users)."""
    if current_user.is_authenticated and current_user.role == access.ADMIN:
        return redirect(url_for("admin.users"))
    return redirect(url_for("tickets.index"))


@bp.get("/tickets")
@access.roles_required(*access.TICKET_ROLES)
def index():
    """Tickets with filters; `?rows=1` answers only the rows, for the live refresh."""
    session, now = db(), utcnow()
    chosen = TicketFilter.from_args(request.args)
    query = chosen.query(session, current_user, now)
    # The page's own refresh counts only so far; a person opening the list gets the number.
    cap = COUNT_CAP if sessions.is_background() else None
    total = count(session, query, cap)
    rows = session.scalars(query.limit(PAGE_SIZE).offset((chosen.page - 1) * PAGE_SIZE)).unique().all()
    context = dict(rows=rows, total=total, capped=cap is not None and total > cap, count_cap=COUNT_CAP,
                   now=now, open_statuses=OPEN, f=chosen, page_size=PAGE_SIZE,
                   show_numbers=access.shows_numbers(current_user))
    if request.args.get("rows") == "1":
        return render_template("_ticket_rows.html", **context)
    refresh_ms = int(runtime_of(current_app).settings.console_refresh.total_seconds() * 1000)
    return render_template("tickets.html", statuses=list(TicketStatus), vias=list(Via),
                           provinces=PROVINCES, agencies=_agencies(access.scope(session, current_user)),
                           refresh_ms=refresh_ms, **context)


@bp.get("/tickets/<code>")
@access.roles_required(*access.TICKET_ROLES)
def show(code: str):
    """One ticket: timeline, recordings, media, SMS thread and the actions the user may take."""
    session = db()
    ticket = access.visible_ticket(session, current_user, code)
    agencies = _agencies()
    return render_template(
        "ticket.html", t=ticket, now=utcnow(), open_statuses=OPEN,
        calls=_of(Call, ticket, Call.id), messages=_of(Message, ticket, Message.id),
        media=[m for m in _of(Media, ticket, Media.id) if m.status == MediaStatus.STORED],
        survey=session.scalar(select(SurveyAnswer).where(SurveyAnswer.ticket_id == ticket.id)),
        show_numbers=access.shows_numbers(current_user), agencies=agencies,
        agency_names={a.code: a.name_fa for a in agencies},
        allowed={a for a in access.ACTIONS if access.can_act(current_user, a)},
    )


def _of(model, ticket: Ticket, order) -> list:
    return list(db().scalars(select(model).where(model.ticket_id == ticket.id).order_by(order)))


def _agencies(ids: frozenset[int] | None = None) -> list[Agency]:
    """The directory by code; only `ids` when given (an inspector filters within their own)."""
    query = select(Agency).order_by(Agency.code)
    if ids is not None:
        query = query.where(Agency.id.in_(ids))
    return list(db().scalars(query).unique())
