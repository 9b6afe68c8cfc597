"""What the ticket list does besides showing: bulk actions for supervisors, saved filters.

Each parses its form, makes one domain call, and goes back to the list as it was.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, abort, flash, redirect, request
from flask_login import current_user
from sqlalchemy import select

from console import access
from console.runtime import db, runtime
from console.tickets import list_url
from console.ticket_list import LIST_ARGS
from models import bulk as bulk_actions
from models import saved_filters
from models.agencies import Agency
from models.persian import persian_digits
from models.saved_filters import BadFilter
from models.tickets import Ticket

log = logging.getLogger(__name__)

bp = Blueprint("list_actions", __name__, url_prefix="/console")

MAX_BULK = 200
"""Tickets one bulk action takes at most (four pages of the list)."""


@bp.post("/tickets/bulk")
@access.roles_required(access.SUPERVISOR)
def bulk():
    """Acknowledge, or reassign to one agency, the tickets ticked in the list."""
    session, back = db(), request.form.get("back", "")
    codes = request.form.getlist("codes")[:MAX_BULK]
    chosen = list(session.scalars(access.visible(select(Ticket), session, current_user)
                                  .where(Ticket.code.in_(codes)).order_by(Ticket.id)).unique())
    if not chosen:
        flash("هیچ شکایتی برگزیده نشده است.", "error")
        return redirect(list_url(back))
    outcome = _act(session, chosen, request.form.get("do", ""))
    if outcome is None:
        flash("دستگاه تازه را برگزینید.", "error")
        return redirect(list_url(back))
    done, refused = len(outcome.done), len(outcome.refused)
    flash(persian_digits(f"{done} شکایت انجام شد" + (f"؛ {refused} شکایت در وضعیتی بود که این کار را نمی‌پذیرفت ("
                                                     + "، ".join(outcome.refused) + ")" if refused else ".")),
          "error" if refused else "ok")
    log.info("bulk action", extra={"user": current_user.name, "action": request.form.get("do"),
                                   "done": done, "refused": refused})
    return redirect(list_url(back))


def _act(session, chosen: list[Ticket], action: str) -> bulk_actions.Bulk | None:
    """The one domain call of the bulk action asked for (None: no agency was chosen)."""
    if action == "acknowledge":
        return bulk_actions.acknowledge_all(session, chosen, actor=current_user.actor)
    if action != "reassign":
        abort(400)
    agency = session.scalar(select(Agency).where(Agency.code == request.form.get("target", "")))
    if agency is None:
        return None
    return bulk_actions.reassign_all(session, chosen, agency, actor=current_user.actor,
                                     link_base=runtime().settings.public_base_url)


@bp.post("/filters")
@access.roles_required(*access.TICKET_ROLES)
def save():
    """Save the list's current filter under a name of the user's choosing."""
    query = urlencode([(k, v) for k, v in parse_qsl(request.form.get("query", "")) if k in LIST_ARGS and k != "page"])
    try:
        saved_filters.save(db(), current_user, request.form.get("name", ""), query)
    except BadFilter:
        db().rollback()
        flash("نام فیلتر را بنویسید (تا ۶۰ نویسه).", "error")
    else:
        flash("فیلتر ذخیره شد.", "ok")
    return redirect(list_url(query))


@bp.post("/filters/<int:filter_id>/delete")
@access.roles_required(*access.TICKET_ROLES)
def forget(filter_id: int):
    """Delete one of the user's saved filters."""
    if not saved_filters.forget(db(), current_user, filter_id):
        abort(404)
    flash("فیلتر حذف شد.", "ok")
    return redirect(list_url(""))
