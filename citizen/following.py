"""Following a complaint: anyone with the code sees its public status; the complainant, once
their number is confirmed, also sees the result and answers the survey."""

from __future__ import annotations

from flask import redirect, request, session, url_for

from citizen.filing import MINE, ask_code
from citizen.page import bp, check_form, db, page, t
from models import lookup, survey_answers
from models.errors import IllegalTransition, InvalidCode, TicketNotFound
from models.locking import locked_ticket
from models.phone_checks import CheckPurpose
from models.phones import identify
from models.tickets import TicketStatus

SCORES = range(1, 6)


@bp.get("/follow")
def follow_form():
    """The form for a tracking code; with ?code= it leads to that complaint."""
    typed = request.args.get("code", "").strip()
    if not typed:
        return page("follow_form.html")
    try:
        code = lookup.find_by_code(db(), typed).code
    except InvalidCode:
        return page("follow_form.html", 400, problem=t("err_code_bad"), typed=typed)
    except TicketNotFound:
        return page("follow_form.html", 404, problem=t("err_code_unknown"), typed=typed)
    return redirect(url_for("citizen.follow", code=code))


@bp.get("/follow/<code>")
def follow(code: str):
    """A complaint's public status; its result and survey for its confirmed complainant."""
    session_ = db()
    try:
        status = lookup.public_status(session_, code)
    except (InvalidCode, TicketNotFound):
        return page("follow_form.html", 404, problem=t("err_code_unknown"), typed=code)
    ticket = lookup.find_by_code(session_, status.code)
    mine = status.code in session.get(MINE, [])
    # Answering closes the ticket: a resolved one awaits this round's answer (a reopened
    # ticket resolved again is surveyed again, as by SMS).
    return page("follow.html", status=status, ticket=ticket if mine else None, mine=mine,
                new=request.args.get("new") == "1", surveyable=mine and ticket.status == TicketStatus.RESOLVED,
                scores=SCORES, rated=request.args.get("rated"))


@bp.post("/follow/<code>/mine")
def claim(code: str):
    """"I filed it": a code to the number typed, if it is the complaint's; the same page either way."""
    check_form()
    try:
        ticket = lookup.find_by_code(db(), code)
    except (InvalidCode, TicketNotFound):
        return page("follow_form.html", 404, problem=t("err_code_unknown"), typed=code)
    number = identify(request.form.get("mobile")).e164
    return ask_code(CheckPurpose.FOLLOW, request.form.get("mobile", ""), {"code": ticket.code},
                    lambda message: _refused(code, message), send=number is not None and number == ticket.caller)


@bp.post("/follow/<code>/survey")
def survey(code: str):
    """The complainant's 1-5 rating: stored as an SMS answer would be, and the ticket closes."""
    check_form()
    session_ = db()
    score = request.form.get("score", "")
    if code not in session.get(MINE, []) or not score.isdigit() or int(score) not in SCORES:
        return _refused(code, t("err_survey"))
    try:
        ticket = locked_ticket(session_, lookup.find_by_code(session_, code).id)
        survey_answers.answer(session_, ticket, int(score))
    except (IllegalTransition, InvalidCode, TicketNotFound):
        session_.rollback()
        return _refused(code, t("err_survey"))
    session_.commit()
    return redirect(url_for("citizen.follow", code=code, rated=score))


def _refused(code: str, message: str):
    return page("message.html", 400, message=message, back=url_for("citizen.follow", code=code))
