"""Report cards in the console: the ranked table, one agency's card, and the CSV export.

Every page here only reads the rollup (models.reports.rollup); stale months are rolled up by a worker.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from sqlalchemy import select

from console import access
from console.chart import card_chart
from console.runtime import ask_rollup, db, runtime
from console.view import duration
from models.agencies import Agency
from models.base import utcnow
from models.persian import persian_digits
from models.reports import cards, periods, rollup
from models.settings import Settings

bp = Blueprint("reports", __name__, url_prefix="/console")

ALL_ROLES = (access.SUPERVISOR, access.INSPECTOR, access.ADMIN)
RETRY_AFTER_S = 60
"""What a CSV download asked for while its figures are being computed is told to wait."""


def chosen_period() -> periods.Period:
    """The period in `?period=` (a key like 1405-Q3), else the current Jalali quarter."""
    key = request.args.get("period", "")
    try:
        return periods.parse(key) if key else periods.containing(utcnow(), "quarter")
    except periods.PeriodError:
        abort(404)


def reading_of(period: periods.Period) -> rollup.Reading:
    """The rollup's figures of `period`; stale months are asked of the workers, not computed."""
    settings = _settings()
    reading = rollup.read(db(), period, deadline=settings.response_deadline, max_age=settings.report_max_age)
    ask_rollup(reading)
    return reading


def shown_cards(reading: rollup.Reading) -> list[cards.Card]:
    """The period's cards, or none while its figures are incomplete or it can have no tickets."""
    if reading.missing or not reading.months:
        return []
    return cards.build(db(), reading.period, reading.table, _settings().report_min_complaints)


def deadline_label(settings: Settings) -> str:
    """The answer deadline as the card pages explain it ("۳ ساعت", or in working hours)."""
    length = duration(settings.response_deadline.total_seconds())
    if settings.business_hours is None:
        return length
    start, end = (persian_digits(t.strftime("%H:%M")) for t in settings.business_hours)
    return f"{length} کاری (از {start} تا {end}، شنبه تا چهارشنبه، جز تعطیلات)"


def page(period: periods.Period, *, public: bool):
    """The ranked table of cards, for the console or for the public."""
    reading = reading_of(period)
    settings = _settings()
    return render_template("reports.html", period=period, reading=reading, cards=shown_cards(reading),
                           chart=card_chart, public=public, minimum=settings.report_min_complaints,
                           deadline=deadline_label(settings),
                           choices=periods.parts(periods.Period(period.year, "year", 1)))


def csv_response(period: periods.Period) -> Response:
    """The period's cards as a CSV download (a 503 while its figures are being computed)."""
    reading = reading_of(period)
    if reading.missing:
        return Response("ارقام این دوره در حال محاسبه است؛ یک دقیقهٔ دیگر دوباره بکوشید.", 503,
                        mimetype="text/plain", headers={"Retry-After": str(RETRY_AFTER_S)})
    body = "\ufeff" + cards.to_csv(shown_cards(reading))  # the BOM lets spreadsheets read Persian
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
    reading = reading_of(chosen_period())
    by_period = {} if reading.missing else cards.build_all(
        db(), reading.period, reading.table, _settings().report_min_complaints, reading.months)
    rows = [(p, c) for p, found_cards in by_period.items() for c in found_cards if c.agency.id == found.id]
    return render_template("agency_card.html", agency=found, period=reading.period, reading=reading,
                           chart=card_chart, rows=rows, minimum=_settings().report_min_complaints)


def _settings() -> Settings:
    return runtime().settings
