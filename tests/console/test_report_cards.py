"""Report cards checked against figures worked out by hand, across a Jalali quarter boundary.

The data set (MUN-TEH unless said; times UTC; Tehran is UTC+3:30, so 1 Mehr 1405, the first
day of the third quarter, begins at 2026-09-22 20:30 UTC):

| ticket | registered          | Jalali month | first answer | result  | escalations | survey |
|--------|---------------------|--------------|--------------|---------|-------------|--------|
| A      | 2026-09-22 20:00    | 6 (Q2)       | ack +30 min  | +120 min| 0           | 5      |
| B      | 2026-09-10 08:00    | 6 (Q2)       | ack +60 min  | +300 min| 1           | 2      |
| C      | 2026-09-15 10:00    | 6 (Q2)       | result +90   | +90 min | 0           | -      |
| D      | 2026-09-22 21:00    | 7 (Q3)       | ack +10 min  | -       | 2           | -      |
| E      | 2026-10-01 09:00    | 7 (Q3)       | ack +20 min  | +40 min | 0           | 4      |
| F      | 2026-10-05 09:00    | 7, nuisance: not a complaint                             |
| G      | 2026-10-06 09:00    | 7 (Q3)       | -            | -       | 0           | -      |
BMI-TEH has one complaint (H, 2026-10-02, resolved in 30 min, answered first by the result).

MUN-HAM works to business hours (07:30-14:30 Tehran, Saturday to Wednesday), so its deadlines
were set in working time (models.deadlines.DeadlinePolicy, as the clock sets them):
| I | Wed 2026-10-07 10:00 (13:30 Tehran) | due Sat 10-10 06:00 (1 h Wed + 2 h Sat) | result Sat 05:30 = +4050 min: in time, though 67.5 h on the wall clock |
| J | Wed 2026-10-14 10:00 | due Sat 10-17 06:00; breach then, escalated, new due 09:00 | result Sat 06:30 = +4110 min: late (after its first deadline, before the new one) |

By hand, MUN-TEH:
- 1405-06 = 1405-Q2: 3 complaints; in time A, C = 2/3; resolved 3/3; first answers 30, 60,
  90 -> median 60 min; results 120, 300, 90 -> median 120 min; 1 escalation; surveys 5, 2 ->
  mean 3.5, share 4-5 = 1/2.
- 1405-07 = 1405-Q3: 3 complaints (D, E, G); in time E = 1/3; resolved 1/3; first answers 10,
  20 -> median 15 min; result 40 min; 2 escalations; survey 4 -> mean 4, share 1.
- 1405: 6 complaints; in time 3/6; resolved 4/6; first answers 10, 20, 30, 60, 90 -> 30 min;
  results 40, 90, 120, 300 -> (90 + 120) / 2 = 105 min; 3 escalations; surveys 5, 2, 4 ->
  mean 11/3, share 4-5 = 2/3.
MUN-HAM, 1405-07 = 1405-Q3 = 1405: 2 complaints; in time I = 1/2; resolved 2/2; first answers
and results 4050, 4110 -> median 4080 min; 1 escalation (J); no survey.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select, update

from models import lifecycle, routing
from models.base import utcnow
from models.deadlines import DeadlinePolicy, WorkingHours
from models.events import Event
from models.report_months import ReportRefresh
from models.reports import cards, rollup
from models.reports.periods import parse
from models.reports.samples import compute
from models.surveys import SurveyAnswer
from models.tickets import TicketStatus as S
from models.tickets import record
from tests.builders import agency
from tests.console.conftest import referred, run_foad
from worker.queues import MAINTENANCE, queue

MIN = 60.0
THREE_HOURS = timedelta(hours=3)
OFFICE = DeadlinePolicy(THREE_HOURS, WorkingHours(time(7, 30), time(14, 30)))
"""MUN-HAM's deadlines: three hours of 07:30-14:30, Saturday to Wednesday."""


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def _steps(session, ticket, start: datetime, steps, score: int | None = None) -> None:
    for status, minutes in steps:
        lifecycle.move(ticket, status, at=start + timedelta(minutes=minutes))
    if score is not None:
        session.add(SurveyAnswer(ticket_id=ticket.id, score=score))
    session.commit()


def _office_hours_tickets(session) -> None:
    """I and J of the table above."""
    i_at, j_at = utc(2026, 10, 7, 10, 0), utc(2026, 10, 14, 10, 0)
    i = referred(session, "MUN-HAM", at=i_at, caller="09121000091")
    i.due_at = OFFICE.due(i_at)
    assert i.due_at == utc(2026, 10, 10, 6, 0)
    lifecycle.move(i, S.RESOLVED, at=utc(2026, 10, 10, 5, 30))
    j = referred(session, "MUN-HAM", at=j_at, caller="09121000092")
    first_due = OFFICE.due(j_at)
    # What worker.clock does at the deadline: a breach naming it, one level up, a new clock.
    record(j, Event.BREACH, at=first_due, agency="MUN-HAM", due_at=first_due.isoformat())
    j.agency_id = agency(session, "IMVO").id
    lifecycle.move(j, S.ESCALATED, at=first_due, agency="IMVO", previous_agency="MUN-HAM")
    j.due_at = OFFICE.due(first_due)
    assert (first_due, j.due_at) == (utc(2026, 10, 17, 6, 0), utc(2026, 10, 17, 9, 0))
    lifecycle.move(j, S.RESOLVED, at=utc(2026, 10, 17, 6, 30))  # before the new deadline
    session.commit()


@pytest.fixture
def data_set(session):
    """The tickets of the table above; the ids of MUN-TEH, BMI-TEH and MUN-HAM."""
    rows = {
        "A": (utc(2026, 9, 22, 20, 0), [(S.ACKNOWLEDGED, 30), (S.RESOLVED, 120)], 5),
        "B": (utc(2026, 9, 10, 8, 0), [(S.ACKNOWLEDGED, 60), (S.ESCALATED, 180), (S.RESOLVED, 300)], 2),
        "C": (utc(2026, 9, 15, 10, 0), [(S.RESOLVED, 90)], None),
        "D": (utc(2026, 9, 22, 21, 0), [(S.ACKNOWLEDGED, 10), (S.ESCALATED, 180), (S.ESCALATED, 360)], None),
        "E": (utc(2026, 10, 1, 9, 0), [(S.ACKNOWLEDGED, 20), (S.RESOLVED, 40)], 4),
        "F": (utc(2026, 10, 5, 9, 0), [(S.NUISANCE, 5)], None),
        "G": (utc(2026, 10, 6, 9, 0), [], None),
    }
    for n, (name, (at, steps, score)) in enumerate(rows.items()):
        ticket = referred(session, "MUN-TEH", at=at, caller=f"0912100000{n}")
        _steps(session, ticket, at, steps, score)
    bank_at = utc(2026, 10, 2, 9, 0)
    _steps(session, referred(session, "BMI-TEH", at=bank_at, caller="09121000099"), bank_at,
           [(S.RESOLVED, 30)])
    _office_hours_tickets(session)
    ids = agency(session, "MUN-TEH").id, agency(session, "BMI-TEH").id, agency(session, "MUN-HAM").id
    session.commit()  # end the read: on SQLite the app's requests would wait for it
    return ids


EXPECTED = {
    # (agency, period): complaints, in time, resolved, escalations, first median, result median,
    #                   surveys, score sum, satisfied
    ("MUN-TEH", "1405-06"): (3, 2, 3, 1, 60 * MIN, 120 * MIN, 2, 7, 1),
    ("MUN-TEH", "1405-Q2"): (3, 2, 3, 1, 60 * MIN, 120 * MIN, 2, 7, 1),
    ("MUN-TEH", "1405-07"): (3, 1, 1, 2, 15 * MIN, 40 * MIN, 1, 4, 1),
    ("MUN-TEH", "1405-Q3"): (3, 1, 1, 2, 15 * MIN, 40 * MIN, 1, 4, 1),
    ("MUN-TEH", "1405"): (6, 3, 4, 3, 30 * MIN, 105 * MIN, 3, 11, 2),
    ("MUN-HAM", "1405-07"): (2, 1, 2, 1, 4080 * MIN, 4080 * MIN, 0, 0, 0),
    ("MUN-HAM", "1405-Q3"): (2, 1, 2, 1, 4080 * MIN, 4080 * MIN, 0, 0, 0),
    ("MUN-HAM", "1405"): (2, 1, 2, 1, 4080 * MIN, 4080 * MIN, 0, 0, 0),
}


def figures_of(f) -> tuple:
    return (f.complaints, f.answered_in_time, f.resolved, f.escalations, f.first_answer_median_s,
            f.result_median_s, f.surveys, f.score_sum, f.satisfied)


@pytest.mark.parametrize("code, key", EXPECTED)
def test_figures_match_the_hand_computed_ones(session, data_set, code, key):
    year = compute(session, parse("1405"), THREE_HOURS)  # the year with its quarters and months
    alone = compute(session, parse(key), THREE_HOURS)  # the period on its own
    for table in (year, alone):
        assert figures_of(table[(agency(session, code).id, parse(key))]) == EXPECTED[(code, key)]


def test_shares_and_means_of_the_year(session, data_set):
    mun, _bank, _ham = data_set
    f = compute(session, parse("1405"), THREE_HOURS)[(mun, parse("1405"))]
    assert f.share_in_time == 0.5 and f.share_resolved == pytest.approx(4 / 6)
    assert f.satisfaction == pytest.approx(11 / 3) and f.share_satisfied == pytest.approx(2 / 3)


def test_quarters_and_months_without_complaints_have_no_figures(session, data_set):
    mun, _bank, _ham = data_set
    table = compute(session, parse("1405"), THREE_HOURS)
    assert (mun, parse("1405-Q1")) not in table and (mun, parse("1405-05")) not in table


@pytest.fixture
def rolled_up(app, work, data_set):
    """The year 1405 rolled up the way it is in service: a page asks, a worker rolls it up."""
    public = app.test_client()
    assert public.get("/reports.csv?period=1405").status_code == 503  # being computed
    assert work((MAINTENANCE,))
    return public


def csv_rows(response) -> dict[tuple[str, str], dict[str, str]]:
    """The rows of a CSV download by (agency, period)."""
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    return {(r["agency"], r["period"]): r for r in rows}


@pytest.mark.parametrize("key", ["1405", "1405-Q2", "1405-Q3", "1405-06", "1405-07"])
def test_the_hand_computed_figures_through_the_rollup_and_the_csv(session, rolled_up, key):
    table = rollup.read(session, parse(key), deadline=THREE_HOURS, max_age=timedelta(minutes=10)).table
    rows = csv_rows(rolled_up.get(f"/reports.csv?period={key}"))
    for (code, period), expected in EXPECTED.items():
        if period != key:
            continue
        complaints, in_time, resolved, escalations, first, result, surveys, score_sum, _sat = expected
        assert figures_of(table[(agency(session, code).id, parse(key))]) == expected
        row = rows[(code, key)]
        assert (row["complaints"], row["answered_in_time"], row["resolved"], row["escalations"],
                row["surveys"]) == tuple(str(n) for n in (complaints, in_time, resolved, escalations, surveys))
        assert (row["first_answer_median_min"], row["result_median_min"]) == (f"{first / MIN:.1f}", f"{result / MIN:.1f}")
        assert row["share_in_time"] == f"{in_time / complaints:.4f}"
        assert row["satisfaction_mean"] == (f"{score_sum / surveys:.4f}" if surveys else "")


def test_ranking_needs_the_minimum_number_of_complaints(session, data_set):
    mun, bank, ham = data_set
    q3 = parse("1405-Q3")
    table = compute(session, q3, THREE_HOURS)
    by_agency = {c.agency.id: c for c in cards.build(session, q3, table, minimum=2)}
    assert (by_agency[ham].rank, by_agency[mun].rank) == (1, 2)  # 1/2 in time above 1/3
    assert by_agency[bank].rank is None and by_agency[bank].unranked == cards.TOO_FEW
    ranked = [c for c in cards.build(session, q3, table, minimum=1) if c.rank]
    # The bank answered its one complaint in time (1/1): it ranks first.
    assert [c.agency.id for c in ranked] == [bank, ham, mun] and [c.rank for c in ranked] == [1, 2, 3]


def test_no_rank_for_a_period_the_agency_joined_during(session, data_set):
    mun, _bank, _ham = data_set
    agency(session, "MUN-TEH").joined_on = date(2026, 10, 1)  # 9 Mehr 1405
    session.commit()

    def card(key: str) -> cards.Card:
        built = cards.build(session, parse(key), compute(session, parse(key), THREE_HOURS), minimum=1)
        return next(c for c in built if c.agency.id == mun)

    assert card("1405-07").rank is None and card("1405-07").unranked == cards.JOINED_LATE
    assert card("1405-06").unranked == cards.JOINED_LATE
    assert card("1405-07").figures.complaints == 3  # the card is shown, only not ranked


def test_agencies_without_complaints_get_a_zero_row_saying_why(session, rolled_up):
    agency(session, "TAX-HAM").joined_on = date(2027, 1, 1)  # joins after the quarter: no row
    session.commit()
    q3 = parse("1405-Q3")
    built = {c.agency.code: c for c in cards.build(session, q3, compute(session, q3, THREE_HOURS), minimum=2)}
    assert built["TAX-TEH"].figures.complaints == 0 and built["TAX-TEH"].unranked == cards.TOO_FEW
    assert "TAX-HAM" not in built
    html = rolled_up.get("/reports?period=1405-Q3").get_data(as_text=True)
    quiet = re.search(r'<tr data-agency="TAX-TEH">(.*?)</tr>', html).group(1)
    assert 'data-figure="complaints">۰<' in quiet and "بدون رتبه: کمتر از ۱۰ شکایت" in quiet
    assert 'data-agency="TAX-HAM"' not in html
    row = csv_rows(rolled_up.get("/reports.csv?period=1405-Q3"))[("TAX-TEH", "1405-Q3")]
    assert (row["complaints"], row["rank"], row["unranked"], row["share_in_time"]) == ("0", "", "too_few", "")


def test_csv_export_has_the_figures_and_no_personal_data(client, rolled_up, login):
    login("reza")
    response = client.get("/console/reports.csv?period=1405")
    mun = csv_rows(response)[("MUN-TEH", "1405")]
    assert (mun["complaints"], mun["share_in_time"], mun["first_answer_median_min"],
            mun["result_median_min"], mun["escalations"]) == ("6", "0.5000", "30.0", "105.0", "3")
    assert mun["unranked"] == "too_few"  # 6 complaints, 10 needed
    assert "+98912" not in response.get_data(as_text=True)


def test_public_page_shows_the_same_aggregates_without_personal_data(rolled_up):
    html = rolled_up.get("/reports?period=1405").get_data(as_text=True)
    assert "ادارهٔ کل امور شهری استانداری تهران" in html
    assert 'data-figure="complaints">۶<' in html and 'data-figure="share_in_time">۵۰٪<' in html
    assert 'data-figure="satisfaction">۳٫۷ <small>(۳ پاسخ)' in html  # 11/3, Persian decimal separator
    assert "<svg" in html  # a chart per card
    assert "ارقام تا" in html and 'data-state="ready"' in html
    for private in ("+98912", "۰۹۱۲", "+۹۸۹۱۲", "کارم انجام نشد", "/console/tickets"):
        assert private not in html
    assert rolled_up.get("/reports.csv?period=1405-Q3").status_code == 200


def test_console_agency_page_shows_the_year_its_quarters_and_months(client, rolled_up, login):
    login("sara")
    html = client.get("/console/reports/MUN-TEH?period=1405").get_data(as_text=True)
    # Months 6 to 9: the first ticket came in Shahrivar, and it is Azar now at the latest.
    shown = re.findall(r'data-period="([^"]+)"', html)
    assert shown[:4] == ["1405", "1405-Q2", "1405-06", "1405-Q3"] and "1405-07" in shown
    assert "1405-Q1" not in shown and "1405-05" not in shown
    assert html.count('<svg class="chart"') == len(shown)  # a chart per card (besides the trends)
    assert "بدون رتبه: کمتر از ۱۰ شکایت" in html
    assert client.get("/console/reports/NOPE?period=1405").status_code == 404
    assert client.get("/console/reports?period=1405-13").status_code == 404


def test_the_agency_page_says_when_a_card_is_unranked_for_joining_late(client, session, rolled_up, login):
    agency(session, "MUN-TEH").joined_on = date(2026, 10, 1)
    session.commit()
    login("sara")
    html = client.get("/console/reports/MUN-TEH?period=1405-Q3").get_data(as_text=True)
    assert "بدون رتبه: پیوستن به ۱۲۸ پس از آغاز دوره" in html


def test_a_card_page_only_reads_and_one_job_rolls_up_however_many_ask(app, runtime, session, work, data_set):
    public = app.test_client()
    for _ in range(5):
        html = public.get("/reports?period=1405-Q3").get_data(as_text=True)
        assert 'data-state="computing"' in html and "data-figure" not in html
    # One job for all the page shows: the quarter (months 7-9) and its trends and the quarter
    # before, as far back as the first ticket (month 6).
    assert queue(runtime.redis, MAINTENANCE).job_ids == ["report-rollup-1405-06-09"]
    assert session.scalars(select(ReportRefresh)).all() == []  # the pages computed nothing
    session.commit()
    assert work((MAINTENANCE,))
    html = public.get("/reports?period=1405-Q3").get_data(as_text=True)
    assert 'data-state="ready"' in html and 'data-figure="complaints">۳<' in html
    assert queue(runtime.redis, MAINTENANCE).job_ids == []  # fresh: nothing asked


def test_stale_figures_are_shown_with_their_age_until_a_worker_rolls_up_again(session, work, data_set, rolled_up):
    mun, _bank, _ham = data_set
    q2, now = parse("1405-Q2"), utcnow()
    referred(session, "MUN-TEH", at=utc(2026, 9, 20, 9, 0), caller="09121000078")
    # Shahrivar is months back: its roll-up may be a day old before it is stale.
    fresh = rollup.read(session, q2, deadline=THREE_HOURS, max_age=timedelta(minutes=10), now=now + timedelta(hours=1))
    assert fresh.stale == () and fresh.table[(mun, q2)].complaints == 3
    old = rollup.read(session, q2, deadline=THREE_HOURS, max_age=timedelta(minutes=10),
                      now=now + timedelta(days=1, minutes=1))
    assert old.stale == (6,) and old.table[(mun, q2)].complaints == 3  # reading computes nothing
    session.execute(update(ReportRefresh).values(refreshed_at=now - timedelta(days=2)))  # as if a day went by
    session.commit()
    html = rolled_up.get("/reports?period=1405-Q2").get_data(as_text=True)
    assert "به‌روزرسانی در راه است" in html and 'data-figure="complaints">۳<' in html
    assert work((MAINTENANCE,))
    assert 'data-figure="complaints">۴<' in rolled_up.get("/reports?period=1405-Q2").get_data(as_text=True)


def test_this_month_and_the_last_go_stale_after_the_max_age(session, data_set):
    mun, _bank, _ham = data_set
    q3, now = parse("1405-Q3"), utc(2026, 11, 1, 12, 0)  # 10 Aban: Mehr is last month
    rollup.refresh(session, 1405, range(7, 9), THREE_HOURS, now=now)
    referred(session, "MUN-TEH", at=utc(2026, 10, 20, 9, 0), caller="09121000077")

    def read(later: timedelta) -> rollup.Reading:
        return rollup.read(session, q3, deadline=THREE_HOURS, max_age=timedelta(minutes=10), now=now + later)

    assert read(timedelta(minutes=5)).stale == () and read(timedelta(minutes=5)).months == (7, 8)
    late = read(timedelta(minutes=11))
    assert late.stale == (7, 8) and late.table[(mun, q3)].complaints == 3 and late.as_of == now


def test_another_deadline_leaves_the_months_to_be_computed(session, data_set):
    q2 = parse("1405-Q2")
    rollup.refresh(session, 1405, range(6, 7), THREE_HOURS)
    three = rollup.read(session, q2, deadline=THREE_HOURS, max_age=timedelta(hours=1))
    six = rollup.read(session, q2, deadline=timedelta(hours=6), max_age=timedelta(hours=1))
    assert (three.missing, three.stale) == ((), ())
    assert (six.missing, six.stale, six.as_of) == ((6,), (6,), None)


@pytest.mark.parametrize("key, state, says", [
    ("1399", "empty", "هنوز شکایتی به ۱۲۸ نرسیده بود"),  # before the first ticket
    ("1405-03", "empty", "هنوز شکایتی به ۱۲۸ نرسیده بود"),
    ("1406", "future", "هنوز آغاز نشده است"),
    ("1405-12", "future", "هنوز آغاز نشده است"),
])
def test_periods_in_the_future_or_before_the_first_ticket_say_so_and_roll_nothing_up(
        app, runtime, session, data_set, key, state, says):
    public = app.test_client()
    html = public.get(f"/reports?period={key}").get_data(as_text=True)
    assert f'data-state="{state}"' in html and says in html and "data-agency" not in html
    export = public.get(f"/reports.csv?period={key}")
    assert export.status_code == 200 and export.get_data(as_text=True).count("\n") == 1  # the header
    assert queue(runtime.redis, MAINTENANCE).job_ids == []
    assert session.scalars(select(ReportRefresh)).all() == []
    session.commit()


def test_the_page_names_the_configured_deadline(app, runtime, data_set):
    public = app.test_client()
    assert "«پاسخ در مهلت» یعنی ثبت نتیجه تا پایان نخستین مهلت شکایت: ۳ ساعت پس از ثبت آن" in \
        public.get("/reports?period=1405").get_data(as_text=True)
    runtime.settings = replace(runtime.settings, response_deadline=timedelta(minutes=150),
                               business_hours=(time(7, 30), time(14, 30)))
    html = public.get("/reports?period=1405").get_data(as_text=True)
    assert "۲ ساعت و ۳۰ دقیقه کاری (از ۰۷:۳۰ تا ۱۴:۳۰، شنبه تا چهارشنبه، جز تعطیلات)" in html
    assert "سه ساعت" not in html


def test_foad_reports_refresh_rolls_up_ahead_of_time(settings, session, data_set):
    result = run_foad(settings, "reports", "refresh", "1405")
    assert result.exit_code == 0, result.output
    assert rollup.stale_months(session, parse("1405"), THREE_HOURS, timedelta(minutes=10), utcnow()) == []
    session.commit()
    assert run_foad(settings, "reports", "refresh", "1405-13").exit_code == 2


def test_an_escalated_complaint_stays_on_the_card_of_the_agency_that_missed_the_deadline(session):
    at = utc(2026, 10, 10, 9, 0)
    ticket = referred(session, "MUN-TEH", at=at)
    # The deadline passes: the clock moves the ticket to the level above, as worker.clock does.
    ticket.agency_id = agency(session, "IMVO").id
    lifecycle.move(ticket, S.ESCALATED, at=at + THREE_HOURS, agency="IMVO", previous_agency="MUN-TEH")
    lifecycle.move(ticket, S.RESOLVED, at=at + 2 * THREE_HOURS)
    session.commit()
    table = compute(session, parse("1405-07"), THREE_HOURS)
    mun = table[(agency(session, "MUN-TEH").id, parse("1405-07"))]
    assert (mun.complaints, mun.escalations, mun.resolved, mun.answered_in_time) == (1, 1, 1, 0)
    assert (agency(session, "IMVO").id, parse("1405-07")) not in table


def test_a_reassigned_complaint_counts_for_the_agency_it_was_reassigned_to(session):
    at = utc(2026, 10, 10, 9, 0)
    ticket = referred(session, "MUN-TEH", at=at)
    routing.reassign(session, ticket, agency(session, "BMI-TEH"), "user:sara", at=at + timedelta(minutes=5))
    table = compute(session, parse("1405-07"), THREE_HOURS)
    assert table[(agency(session, "BMI-TEH").id, parse("1405-07"))].complaints == 1
    assert (agency(session, "MUN-TEH").id, parse("1405-07")) not in table


@pytest.mark.parametrize("key", ["9999", "1405-Q5", "1405-00", "x", "0001-01"])
def test_a_period_that_is_no_period_is_a_404(client, key):
    assert client.get(f"/reports?period={key}").status_code == 404
