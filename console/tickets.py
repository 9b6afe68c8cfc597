"""The live ticket list and the ticket page."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from console import access, sessions
from console.runtime import db, runtime
from console.ticket_list import COUNT_CAP, LIST_ARGS, PAGE_SIZE, TicketFilter
from console.view import FIGURE_LABELS, LEVEL_LABELS, province_name
from models import assignment, dispatch, notes, reopen, saved_filters, search, timeline, visibility
from models.agencies import Agency, Level
from models.base import utcnow
from models.calls import Call
from models.categories import Category
from models.lifecycle import OPEN, can_move
from models.media import Media, MediaStatus
from models.messages import Message
from models.provinces import PROVINCES
from models.reopen import REOPENABLE
from models.reports import drill, periods
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
    session, now, settings = db(), utcnow(), runtime().settings
    chosen = TicketFilter.from_args(request.args, by_number=access.shows_numbers(current_user))
    # The page's own refresh counts only so far; a person opening the list gets the number.
    found = chosen.results(session, current_user, now, settings.response_deadline,
                           cap=COUNT_CAP if sessions.is_background() else None)
    context = dict(rows=found.rows, total=found.total, capped=found.capped, count_cap=COUNT_CAP,
                   now=now, open_statuses=OPEN, f=chosen, page_size=PAGE_SIZE,
                   **_row_facts(session, found.rows, chosen.words),
                   back=urlencode([(k, v) for k, v in request.args.items(multi=True) if k in LIST_ARGS]))
    if request.args.get("rows") == "1":
        return render_template("_ticket_rows.html", **context)
    refresh_ms = int(settings.console_refresh.total_seconds() * 1000)
    agencies = _agencies(access.scope(session, current_user))
    return render_template("tickets.html", statuses=list(TicketStatus), vias=list(Via), provinces=PROVINCES,
                           agencies=agencies, groups=agency_groups(_agencies()), refresh_ms=refresh_ms,
                           categories=session.scalars(select(Category).order_by(Category.menu_key)).all(),
                           saved=saved_filters.mine(session, current_user), drill=_drill_title(chosen),
                           **context)


def _row_facts(session, rows: list[Ticket], words: tuple[str, ...]) -> dict:
    """What the rows show besides the tickets: numbers or not, the bulk boxes, who holds each,
    and where a search found its words."""
    return dict(show_numbers=access.shows_numbers(current_user), bulk=access.can_act(current_user, "bulk"),
                assignees=assignment.assignees(session, [t.id for t in rows]),
                excerpts=search.excerpts(session, rows, words) if words else {})


def _drill_title(chosen: TicketFilter) -> str | None:
    """What a list drilled from a report card shows, in words ("MUN-TEH's card, Q3 1405:
    answered in time"); None for an ordinary list."""
    if not chosen.drilled:
        return None
    try:
        label = periods.parse(chosen.period).label
    except periods.PeriodError:
        return None
    whose = "همهٔ دستگاه‌ها"
    if chosen.card:
        whose = next((a.name_fa for a in _agencies() if a.code == chosen.card), chosen.card)
    elif chosen.region:
        whose = "دستگاه‌های کشوری" if chosen.region == drill.NATIONAL else f"دستگاه‌های {province_name(chosen.region)}"
    return f"{whose} · {label} · {FIGURE_LABELS[chosen.figure or 'complaints']}"


@bp.get("/tickets/<code>")
@access.roles_required(*access.TICKET_ROLES)
def show(code: str):
    """One ticket: timeline, recordings, media, SMS thread and the actions the user may take;
    opening it reads the notes that mention the user."""
    session = db()
    ticket = access.visible_ticket(session, current_user, code)
    notes.mark_read(session, current_user, ticket)
    agencies = _agencies()
    back = request.args.get("back", "")
    return render_template(
        "ticket.html", t=ticket, now=utcnow(), open_statuses=OPEN, back=back, back_url=list_url(back),
        calls=_of(Call, ticket, Call.id), messages=_of(Message, ticket, Message.id),
        media=[m for m in _of(Media, ticket, Media.id) if m.status == MediaStatus.STORED],
        survey=session.scalar(select(SurveyAnswer).where(SurveyAnswer.ticket_id == ticket.id)),
        show_numbers=access.shows_numbers(current_user), groups=agency_groups(agencies, but=ticket.agency_id),
        agency_names={a.code: a.name_fa for a in agencies}, allowed=_allowed(ticket),
        events=timeline.shown(ticket.events), people=timeline.actor_names(session, ticket.events),
        assignee=assignment.assignee(session, ticket.id), team=assignment.eligible(session, ticket),
        watchers=visibility.watchers(session, ticket), proposal=reopen.proposal(session, ticket),
        categories=session.scalars(select(Category).order_by(Category.menu_key)).all(), provinces=PROVINCES,
    )


def _allowed(ticket: Ticket) -> set[str]:
    """The actions the user may take on `ticket` now: "acknowledge" only while it can be
    (not twice in a row: an escalated ticket's new agency acknowledges again), asking only a
    complainant who can be texted, reopening only a result, returning only an agency's ticket."""
    allowed = {a for a in access.ACTIONS if access.can_act(current_user, a)}
    if not can_move(ticket.status, TicketStatus.ACKNOWLEDGED):
        allowed.discard("acknowledge")
    if not (ticket.can_receive_sms and ticket.caller):
        allowed.discard("ask")
    if ticket.status not in REOPENABLE:
        allowed.discard("reopen")
    if not dispatch.can_send_back(ticket):
        allowed.discard("return")
    return allowed


def agency_groups(agencies: list[Agency], *, but: int | None = None) -> list[tuple[str, list[Agency]]]:
    """`agencies` (except `but`) grouped for a dropdown: national bodies first, then each
    province in the directory's order, and within each, ministries down to county offices."""
    provinces, levels = [None, *(p.code for p in PROVINCES)], list(Level)
    groups: dict[tuple[int, int], list[Agency]] = {}
    for a in agencies:
        if a.id != but:
            where = provinces.index(a.province_code) if a.province_code in provinces else len(provinces)
            groups.setdefault((where, levels.index(a.level)), []).append(a)
    return [(_group_label(members[0]), members) for _key, members in sorted(groups.items())]


def _group_label(agency: Agency) -> str:
    where = province_name(agency.province_code) if agency.province_code else "کشوری"
    return f"{where} · {LEVEL_LABELS[agency.level]}"


def list_url(back: str) -> str:
    """The ticket list with the filters a ticket was opened from (only the list's own ones:
    `back` comes from the browser)."""
    return url_for("tickets.index", **{k: v for k, v in parse_qsl(back) if k in LIST_ARGS})


def _of(model, ticket: Ticket, order) -> list:
    return list(db().scalars(select(model).where(model.ticket_id == ticket.id).order_by(order)))


def _agencies(ids: frozenset[int] | None = None) -> list[Agency]:
    """The directory by code; only `ids` when given (an inspector filters within their own)."""
    query = select(Agency).order_by(Agency.code)
    if ids is not None:
        query = query.where(Agency.id.in_(ids))
    return list(db().scalars(query).unique())
