"""Report cards in the console: the ranked table with the summaries, one agency's card, the CSV
export and the card as a PDF for letters.

Every page here only reads the rollup (models.reports.rollup); stale months are rolled up by
a worker, asked once a year for all the months a page shows (its period, the trends' twelve
months, the period before).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template, request
from sqlalchemy import select

from console import access, pdf
from console.chart import breakdown, card_chart, trend_charts
from console.runtime import ask_rollup, db, runtime
from console.view import duration
from models.agencies import Agency
from models.base import utcnow
from models.categories import Category
from models.persian import persian_digits
from models.reports import cards, periods, rollup, summary, trends
from models.settings import Settings

bp = Blueprint("reports", __name__, url_prefix="/console")

ALL_ROLES = (access.SUPERVISOR, access.INSPECTOR, access.ADMIN)
RETRY_AFTER_S = 60
"""What a CSV download asked for while its figures are being computed is told to wait."""
TOP_CRITERIA = 8
"""Categories a card's breakdown shows (all of them: seven criteria and "other")."""


@dataclass(frozen=True)
class Extras:
    """What the card pages show around the cards: trends, criteria, summaries."""

    trend: trends.Trend
    criteria: dict[int | None, list[tuple[str, int]]]
    national: summary.Summary
    provinces: list[summary.Summary]
    categories: dict[str, str]
    """Each category's Persian name by its code."""

    def named_criteria(self, agency_id: int | None) -> list[tuple[str, int]]:
        """An agency's (None: the country's) complaints by category, by the categories' names."""
        return [(self.categories.get(code, code), n) for code, n in self.criteria.get(agency_id, [])[:TOP_CRITERIA]]


def chosen_period() -> periods.Period:
    """The period in `?period=` (a key like 1405-Q3), else the current Jalali quarter."""
    key = request.args.get("period", "")
    try:
        return periods.parse(key) if key else periods.containing(utcnow(), "quarter")
    except periods.PeriodError:
        abort(404)


def reading_of(period: periods.Period, *, ask: bool = True) -> rollup.Reading:
    """The rollup's figures of `period`; stale months are asked of the workers, not computed."""
    settings = _settings()
    reading = rollup.read(db(), period, deadline=settings.response_deadline, max_age=settings.report_max_age)
    if ask:
        ask_rollup(reading)
    return reading


def shown_cards(reading: rollup.Reading) -> list[cards.Card]:
    """The period's cards, or none while its figures are incomplete or it can have no tickets."""
    if reading.missing or not reading.months:
        return []
    return cards.build(db(), reading.period, reading.table, _settings().report_min_complaints)


def extras_of(reading: rollup.Reading, shown: list[cards.Card]) -> Extras:
    """The trends, criteria and summaries around `shown` (the period's cards). For a period
    that can have tickets, asks the workers for every month the page shows that is stale
    (its own, the trends', the period before), in one job a year."""
    session, settings, now, period = db(), _settings(), utcnow(), reading.period
    before = trends.previous(period)
    wanted = [*trends.months_of(period), *trends.trend_months(period, now), *trends.months_of(before)]
    for stale in trends.stale(session, wanted if reading.months else [], deadline=settings.response_deadline,
                              max_age=settings.report_max_age, now=now):
        ask_rollup(stale)
    earlier, minimum = trends.totals(session, before), settings.report_min_complaints
    labels = dict(session.execute(select(Category.code, Category.label_fa)).all())
    return Extras(trends.trend(session, period, now), trends.criteria(session, period),
                  summary.summarise(shown, earlier, minimum), summary.by_province(shown, earlier, minimum), labels)


def deadline_label(settings: Settings) -> str:
    """The answer deadline as the card pages explain it ("۳ ساعت", or in working hours)."""
    length = duration(settings.response_deadline.total_seconds())
    if settings.business_hours is None:
        return length
    start, end = (persian_digits(t.strftime("%H:%M")) for t in settings.business_hours)
    return f"{length} کاری (از {start} تا {end}، شنبه تا چهارشنبه، جز تعطیلات)"


def page(period: periods.Period, *, public: bool):
    """The ranked table of cards with the country's and the provinces' summaries, for the
    console or for the public."""
    reading = reading_of(period, ask=False)
    settings = _settings()
    shown = shown_cards(reading)
    return render_template("reports.html", period=period, reading=reading, cards=shown, chart=card_chart,
                           public=public, minimum=settings.report_min_complaints, deadline=deadline_label(settings),
                           choices=periods.parts(periods.Period(period.year, "year", 1)),
                           extras=extras_of(reading, shown), trend_charts=trend_charts, breakdown=breakdown,
                           settings=settings)


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
    """One agency's card for a period, with its quarters and months, trend and criteria."""
    return render_template("agency_card.html", **_agency_card(code))


@bp.get("/reports/<code>/card.pdf")
@access.roles_required(*ALL_ROLES)
def agency_pdf(code: str):
    """One agency's card for a period as a PDF (for the letters behind warnings and
    commendations); 503 while its figures are being computed."""
    context = _agency_card(code)
    if context["reading"].missing or not context["rows"]:
        return Response("ارقام این دوره هنوز آماده نیست؛ کمی بعد دوباره بکوشید.", 503, mimetype="text/plain",
                        headers={"Retry-After": str(RETRY_AFTER_S)})
    html = render_template("report_card_pdf.html", made_at=utcnow(), **context)
    name = f"foad-report-card-{code}-{context['period'].key}.pdf"
    return Response(pdf.render(html), mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


def _agency_card(code: str) -> dict:
    """What an agency's card page (or PDF) shows."""
    found = db().scalar(select(Agency).where(Agency.code == code))
    if found is None:
        abort(404)
    reading = reading_of(chosen_period(), ask=False)
    by_period = {} if reading.missing else cards.build_all(
        db(), reading.period, reading.table, _settings().report_min_complaints, reading.months)
    rows = [(p, c) for p, found_cards in by_period.items() for c in found_cards if c.agency.id == found.id]
    return dict(agency=found, period=reading.period, reading=reading, chart=card_chart, rows=rows,
                minimum=_settings().report_min_complaints, extras=extras_of(reading, by_period.get(reading.period, [])),
                trend_charts=trend_charts, breakdown=breakdown, deadline=deadline_label(_settings()))


def _settings() -> Settings:
    return runtime().settings
