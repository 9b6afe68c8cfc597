"""Report cards in the console: the ranked table, one agency's card, and the CSV export."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from sqlalchemy import select

from console import access, cards, periods
from console.chart import card_chart
from foad.app import db, runtime_of
from models.agencies import Agency
from models.base import utcnow

bp = Blueprint("reports", __name__, url_prefix="/console")

ALL_ROLES = (access.SUPERVISOR, access.INSPECTOR, access.ADMIN)


def chosen_period() -> periods.Period:
    """The period in `?period=` (a key like 1405-Q3), else the current Jalali quarter."""
    key = request.args.get("period", "")
    try:
        return periods.parse(key) if key else periods.containing(utcnow(), "quarter")
    except periods.PeriodError:
        abort(404)


def period_cards(period: periods.Period) -> list[cards.Card]:
    """Every agency's card for `period`, with the operator's deadline and ranking minimum."""
    settings = runtime_of(current_app).settings
    return cards.build(db(), period, deadline=settings.response_deadline,
                       minimum=settings.report_min_complaints, max_age=settings.report_max_age)


def page(period: periods.Period, *, public: bool):
    """The ranked table of cards, for the console or for the public."""
    settings = runtime_of(current_app).settings
    return render_template("reports.html", period=period, cards=period_cards(period),
                           chart=card_chart, public=public, minimum=settings.report_min_complaints,
                           choices=periods.parts(periods.Period(period.year, "year", 1)))


def csv_response(period: periods.Period) -> Response:
    """The period's cards as a CSV download."""
    body = "\ufeff" + cards.to_csv(period_cards(period))  # the BOM lets spreadsheets read Persian
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=foad-report-cards-{period.key}.csv"})


@bp.get("/reports")
@access.roles_required(*ALL_ROLES)
def index():
    """All agencies' cards for a period."""
    return page(chosen_period(), public=False)


@bp.get("/reports.csv")
@access.roles_required(*ALL_ROLES)
def export():
    """CSV export of a period's cards."""
    return csv_response(chosen_period())


@bp.get("/reports/<code>")
@access.roles_required(*ALL_ROLES)
def agency(code: str):
    """One agency's card for a period, with its quarters and months."""
    found = db().scalar(select(Agency).where(Agency.code == code))
    if found is None:
        abort(404)
    period = chosen_period()
    settings = runtime_of(current_app).settings
    by_period = cards.build_all(db(), period, deadline=settings.response_deadline,
                                minimum=settings.report_min_complaints, max_age=settings.report_max_age)
    mine = [(p, next((c for c in found_cards if c.agency.id == found.id), None))
            for p, found_cards in by_period.items()]
    return render_template("agency_card.html", agency=found, period=period, chart=card_chart,
                           rows=[(p, c) for p, c in mine if c is not None],
                           minimum=settings.report_min_complaints)
