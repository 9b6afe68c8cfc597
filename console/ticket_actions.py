"""The actions on a ticket: each parses its form, calls the one domain function, and redirects."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from console import access
from console.runtime import db, runtime
from models import actions, asking, assignment, dispatch, lookup, notes, reopen, routing
from models.agencies import Agency
from models.asking import BadQuestion, CannotText
from models.assignment import NotAssignable
from models.base import utcnow
from models.deadlines import policy
from models.errors import (
    DomainError,
    EmptyResult,
    IllegalTransition,
    InvalidCode,
    SelfDuplicate,
    TicketNotFound,
    UnknownAgency,
    UnknownCategory,
    UnknownProvince,
    UnknownSector,
)
from models.notes import EmptyNote, UnknownMention
from models.reopen import NoReason
from models.tickets import Ticket
from models.users import User

log = logging.getLogger(__name__)

bp = Blueprint("ticket_actions", __name__, url_prefix="/console/tickets")

DONE = {
    "acknowledge": "رسیدگی به شکایت اعلام شد.",
    "resolve": "نتیجه ثبت شد و برای شهروند پیامک می‌شود.",
    "reassign": "شکایت به دستگاه دیگری ارجاع شد.",
    "duplicate": "شکایت تکراری اعلام شد.",
    "nuisance": "شکایت مزاحمت اعلام و شماره مسدود شد.",
    "note": "یادداشت ثبت شد.",
    "assign": "واگذاری شکایت ثبت شد.",
    "ask": "پرسش برای شهروند پیامک می‌شود؛ پاسخ او به همین شکایت افزوده می‌شود.",
    "reopen": "شکایت بازگشایی شد و مهلت تازه‌ای برای پاسخ آغاز شد.",
    "place": "موضوع و استان شکایت ثبت شد.",
    "return": "شکایت با دلیل شما به کارگروه فوریت‌های اداری بازگردانده شد.",
}

@bp.post("/<code>/<action>")
@access.roles_required(*access.TICKET_ROLES)
def act(code: str, action: str):
    """Take `action` on the ticket, if the user may; a refused rule comes back as a message."""
    if action not in _DO:
        abort(404)
    session = db()
    ticket = access.visible_ticket(session, current_user, code)
    if not access.can_act(current_user, action):
        abort(403)
    try:
        _DO[action](session, ticket, request.form, current_user.actor)
    except DomainError as exc:
        session.rollback()
        flash(in_persian(exc), "error")
        log.info("ticket action refused", extra={"ticket": code, "user": current_user.name,
                                                 "action": action, "reason": str(exc)})
    else:
        flash(DONE[action], "ok")
        log.info("ticket action", extra={"ticket": code, "user": current_user.name, "action": action})
    if action == "return" and not access.can_see(session, current_user, ticket):
        return redirect(url_for("tickets.index"))  # it left this inspector's agency
    return redirect(url_for("tickets.show", code=code, back=request.form.get("back") or None))


def _acknowledge(session: Session, ticket: Ticket, _form, actor: str) -> None:
    actions.acknowledge(session, ticket, actor=actor)


def _resolve(session: Session, ticket: Ticket, form, actor: str) -> None:
    actions.resolve(session, ticket, form.get("result", ""), actor=actor)


def _duplicate(session: Session, ticket: Ticket, form, actor: str) -> None:
    original = lookup.find_by_code(session, form.get("original", ""))
    if not access.can_see(session, current_user, original):
        # Same answer as "no such ticket": an inspector learns nothing of other agencies.
        raise TicketNotFound(f"no ticket has the code {original.code}")
    actions.mark_duplicate(session, ticket, original, actor=actor)


def _nuisance(session: Session, ticket: Ticket, form, actor: str) -> None:
    actions.mark_nuisance(session, ticket, actor=actor, block_number=form.get("block", "1") == "1")


def _reassign(session: Session, ticket: Ticket, form, actor: str) -> None:
    code = form.get("agency", "").strip()
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise UnknownAgency(f"no agency has the code {code!r}")
    # The routing service owns the rules: the clock keeps running, the new agency's
    # official is texted with a link to this console.
    link_base = runtime().settings.public_base_url
    routing.reassign(session, ticket, agency, actor, link_base=link_base)


def _note(session: Session, ticket: Ticket, form, _actor: str) -> None:
    notes.add(session, ticket, current_user, form.get("note", ""))


def _assign(session: Session, ticket: Ticket, form, actor: str) -> None:
    name = form.get("assignee", "").strip()
    person = session.scalar(select(User).where(User.name == name)) if name else None
    if name and person is None:
        raise NotAssignable(f"there is no user {name!r}")
    assignment.assign(session, ticket, person, actor=actor)


def _ask(session: Session, ticket: Ticket, form, actor: str) -> None:
    asking.ask(session, ticket, form.get("question", ""), actor=actor)


def _reopen(session: Session, ticket: Ticket, form, actor: str) -> None:
    settings = runtime().settings
    reopen.reopen(session, ticket, form.get("reason", ""), actor=actor, rules=policy(session, settings),
                  now=utcnow(), link_base=settings.public_base_url)


def _place(session: Session, ticket: Ticket, form, actor: str) -> None:
    dispatch.correct(session, ticket, category=form.get("category") or None,
                     province=form.get("province") or None, actor=actor)


def _return(session: Session, ticket: Ticket, form, actor: str) -> None:
    dispatch.send_back(session, ticket, form.get("reason", ""), actor,
                       link_base=runtime().settings.public_base_url)


REFUSALS: tuple[tuple[type[DomainError], str], ...] = (
    (IllegalTransition, "این کار در وضعیت کنونی شکایت ممکن نیست."),
    (InvalidCode, "شکایتی با این کد رهگیری پیدا نشد."),
    (TicketNotFound, "شکایتی با این کد رهگیری پیدا نشد."),
    (EmptyResult, "متن نتیجه خالی است؛ بنویسید چه شد تا برای شهروند پیامک شود."),
    (SelfDuplicate, "شکایت نمی‌تواند تکراریِ خودش باشد؛ کد شکایت اصلی را بنویسید."),
    (UnknownAgency, "دستگاهی با این نام در فهرست دستگاه‌ها نیست؛ یکی را از فهرست برگزینید."),
    (routing.AlreadyThere, "شکایت هم‌اکنون نزد همین دستگاه است."),
    (routing.NobodyToRefer, "این دستگاه و دستگاه‌های بالادست آن بازرس فعالی ندارند؛ "
                            "فهرست دستگاه‌ها را اصلاح کنید."),
    (EmptyNote, "یادداشت خالی است (یا بیش از اندازه بلند)."),
    (NotAssignable, "این کاربر نمی‌تواند این شکایت را بگیرد: باید بازرس همین دستگاه یا ناظر و فعال باشد."),
    (BadQuestion, "پرسش خالی است یا در دو پیامک نمی‌گنجد؛ کوتاه‌ترش کنید."),
    (CannotText, "به این شهروند نمی‌توان پیامک زد (تلفن ثابت، شمارهٔ ناشناس یا لغو پیامک‌ها)."),
    (NoReason, "بنویسید چرا نتیجه پذیرفته نیست تا بازرس بداند."),


    (UnknownCategory, "این موضوع در فهرست موضوع‌های شکایت نیست."),
    (UnknownProvince, "این استان در فهرست استان‌ها نیست."),
    (UnknownSector, "این دستگاه در فهرست بخش‌های خدمت نیست."),
    (dispatch.NoReason, "بنویسید چرا این شکایت به دستگاه شما مربوط نیست تا کارگروه بداند."),
    (dispatch.AlreadyWithDispatcher, "شکایت هم‌اکنون نزد کارگروه فوریت‌های اداری است."),
    (dispatch.NothingToAccept, "پیشنهادی برای پذیرفتن نیست؛ دستگاه یا بخش را خودتان برگزینید."),
)
"""Refusals the user is told in their own words; any other says what the rule said."""


def in_persian(exc: DomainError) -> str:
    """The refusal as the user reads it (the domain speaks English to logs)."""
    if isinstance(exc, UnknownMention):
        return "این نام‌ها کاربری نیستند که این شکایت را ببیند: " + "، ".join(f"@{n}" for n in exc.names)
    for kind, text in REFUSALS:
        if isinstance(exc, kind):
            return text
    return f"این کار انجام نشد: {exc}"


_DO = {"acknowledge": _acknowledge, "resolve": _resolve, "duplicate": _duplicate,
       "nuisance": _nuisance, "reassign": _reassign, "note": _note, "assign": _assign, "ask": _ask,
       "reopen": _reopen, "place": _place, "return": _return}
