"""The dispatcher's queue: tickets held at a working group or waiting for their citizen's
answer, with what triage read in each, to accept or to place by hand; and the agency picker's
search over the whole directory."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from console import access
from console.runtime import db, runtime
from console.tickets import agency_groups
from console.view import FIELD_LABELS
from console.ticket_actions import in_persian
from models import dispatch
from models.agencies import FOAD_SECTOR, Agency, Sector
from models.agency_search import LIMIT, finder
from models.categories import Category
from models.errors import DomainError
from models.provinces import PROVINCES

log = logging.getLogger(__name__)

bp = Blueprint("triage", __name__, url_prefix="/console")

DONE = {"accept": "پیشنهاد پذیرفته و شکایت ارجاع شد.", "place": "شکایت به انتخاب شما ارجاع شد."}
RULE_LABELS = {"keyword": "واژه‌های متن", "near_spelling": "واژه‌ای با غلط املایی", "agency_name": "نام دستگاه",
               "agency_name+place": "نام دستگاه و مکان", "gazetteer": "نام مکان",
               "landline": "پیش‌شمارهٔ تلفن ثابت", "none": "—"}
"""How triage's rules (models/triage) read to a dispatcher."""


def _scope() -> dispatch.Scope:
    """The queue of the user: a supervisor's or a working group member's; anyone else: 403."""
    found = access.dispatch_scope(db(), current_user)
    if found is None:
        abort(403)
    return found


@bp.get("/triage")
@access.roles_required(*access.TICKET_ROLES)
def index():
    """The queue, oldest first; `?for=CODE&find=TEXT` lists the agencies matching TEXT in that
    ticket's picker (the page works without its script)."""
    session = db()
    items = dispatch.queue(session, _scope())
    readings = dispatch.readings(session, [t.id for t in items])
    found, more = _found(request.args.get("find", ""))
    waits = dispatch.wait_ends(session, [t.id for t in items], runtime().settings.triage_wait)
    sectors, categories = _sectors(session), _categories(session)
    return render_template(
        "triage.html", items=items, readings=readings, waits=waits,
        names=_names(session, readings, sectors, categories), sectors=sectors, categories=categories,
        provinces=PROVINCES, fields=FIELD_LABELS, rules=RULE_LABELS, finding=request.args.get("for", ""),
        find=request.args.get("find", ""), found=agency_groups(found), more=more)


@bp.post("/triage/<code>/<action>")
@access.roles_required(*access.TICKET_ROLES)
def act(code: str, action: str):
    """Accept triage's suggestions, or place the ticket as chosen; then on to the next one."""
    if action not in DONE:
        abort(404)
    _scope()
    session = db()
    ticket = access.visible_ticket(session, current_user, code)
    link_base = runtime().settings.public_base_url
    try:
        if action == "accept":
            dispatch.accept(session, ticket, current_user.actor, link_base=link_base)
        else:
            dispatch.place(session, ticket, _choice(request.form), current_user.actor, link_base=link_base)
    except DomainError as exc:
        session.rollback()
        flash(in_persian(exc), "error")
        log.info("dispatch refused", extra={"ticket": code, "user": current_user.name, "action": action,
                                            "reason": str(exc)})
        return redirect(url_for("triage.index", _anchor=f"q-{code}"))
    flash(DONE[action], "ok")
    log.info("dispatched", extra={"ticket": code, "user": current_user.name, "action": action})
    following = request.form.get("next", "")
    return redirect(url_for("triage.index", _anchor=f"q-{following}" if following else None))


def _choice(form) -> dispatch.Choice:
    return dispatch.Choice(**{name: (form.get(name) or "").strip() or None for name in dispatch.CHOSEN})


@bp.get("/agencies/search")
@access.roles_required(*access.TICKET_ROLES)
def search():
    """The agency picker's type-ahead: `?q=` (Persian, English, a code or an alias) → the
    matching agencies, grouped by province and level, at most `limit` (FOAD's own excepted)."""
    limit = min(max(request.args.get("limit", LIMIT, type=int) or LIMIT, 1), 100)
    found, more = _found(request.args.get("q", ""), limit)
    groups = [{"label": label, "agencies": [{"code": a.code, "name_fa": a.name_fa, "name_en": a.name_en,
                                             "province": a.province_code, "level": a.level} for a in members]}
              for label, members in agency_groups(found)]
    return jsonify(query=request.args.get("q", ""), groups=groups, more=more)


def _found(typed: str, limit: int = LIMIT):
    """The agencies a dispatcher may pick that match `typed` (the working groups are not picked:
    the queue is theirs), and whether there were more."""
    if not typed.strip():
        return [], False
    sectors = frozenset(db().scalars(select(Sector.code).where(Sector.code != FOAD_SECTOR)))
    return finder(db()).search(typed, limit, sectors=sectors)


def _names(session, readings, sectors: list[Sector], categories: list[Category]) -> dict[str, str]:
    """Persian names of the agencies, sectors and categories the readings suggest, by code."""
    codes = {r.get("agency", {}).get("value") for r in readings.values()} - {None}
    agencies = session.execute(select(Agency.code, Agency.name_fa).where(Agency.code.in_(codes))).all()
    return {**{p.code: p.name_fa for p in PROVINCES}, **{s.code: s.name_fa for s in sectors},
            **{c.code: c.label_fa for c in categories}, **{code: name for code, name in agencies}}


def _sectors(session) -> list[Sector]:
    return list(session.scalars(select(Sector).where(Sector.code != FOAD_SECTOR).order_by(Sector.menu_key)))


def _categories(session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.menu_key)))
