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

By hand, MUN-TEH:
- 1405-06 = 1405-Q2: 3 complaints; in time A, C = 2/3; resolved 3/3; first answers 30, 60,
  90 -> median 60 min; results 120, 300, 90 -> median 120 min; 1 escalation; surveys 5, 2 ->
  mean 3.5, share 4-5 = 1/2.
- 1405-07 = 1405-Q3: 3 complaints (D, E, G); in time E = 1/3; resolved 1/3; first answers 10,
  20 -> median 15 min; result 40 min; 2 escalations; survey 4 -> mean 4, share 1.
- 1405: 6 complaints; in time 3/6; resolved 4/6; first answers 10, 20, 30, 60, 90 -> 30 min;
  results 40, 90, 120, 300 -> (90 + 120) / 2 = 105 min; 3 escalations; surveys 5, 2, 4 ->
  mean 11/3, share 4-5 = 2/3.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest

from console import cards, rollup
from console.figures import compute
from console.periods import parse
from models import lifecycle, routing
from models.base import utcnow
from models.surveys import SurveyAnswer
from models.tickets import TicketStatus as S
from tests.builders import agency
from tests.console.conftest import referred

MIN = 60.0
THREE_HOURS = timedelta(hours=3)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def _steps(session, ticket, start: datetime, steps, score: int | None = None) -> None:
    for status, minutes in steps:
        lifecycle.move(ticket, status, at=start + timedelta(minutes=minutes))
    if score is not None:
        session.add(SurveyAnswer(ticket_id=ticket.id, score=score))
    session.commit()


@pytest.fixture
def data_set(session):
    """The tickets of the table above."""
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
    ids = agency(session, "MUN-TEH").id, agency(session, "BMI-TEH").id
    session.commit()  # end the read: on SQLite the app's requests would wait for it
    return ids


EXPECTED = {
    # period: complaints, in time, resolved, escalations, first median, result median,
    #         surveys, score sum, satisfied
    "1405-06": (3, 2, 3, 1, 60 * MIN, 120 * MIN, 2, 7, 1),
    "1405-Q2": (3, 2, 3, 1, 60 * MIN, 120 * MIN, 2, 7, 1),
    "1405-07": (3, 1, 1, 2, 15 * MIN, 40 * MIN, 1, 4, 1),
    "1405-Q3": (3, 1, 1, 2, 15 * MIN, 40 * MIN, 1, 4, 1),
    "1405": (6, 3, 4, 3, 30 * MIN, 105 * MIN, 3, 11, 2),
}


@pytest.mark.parametrize("key", EXPECTED)
def test_figures_match_the_hand_computed_ones(session, data_set, key):
    mun, _bank = data_set
    year = compute(session, parse("1405"), THREE_HOURS)  # the year with its quarters and months
    alone = compute(session, parse(key), THREE_HOURS)  # the period on its own
    for table in (year, alone):
        f = table[(mun, parse(key))]
        got = (f.complaints, f.answered_in_time, f.resolved, f.escalations, f.first_answer_median_s,
               f.result_median_s, f.surveys, f.score_sum, f.satisfied)
        assert got == EXPECTED[key]


def test_shares_and_means_of_the_year(session, data_set):
    mun, _bank = data_set
    f = compute(session, parse("1405"), THREE_HOURS)[(mun, parse("1405"))]
    assert f.share_in_time == 0.5 and f.share_resolved == pytest.approx(4 / 6)
    assert f.satisfaction == pytest.approx(11 / 3) and f.share_satisfied == pytest.approx(2 / 3)


def test_quarters_and_months_without_complaints_have_no_card(session, data_set):
    mun, _bank = data_set
    table = compute(session, parse("1405"), THREE_HOURS)
    assert (mun, parse("1405-Q1")) not in table and (mun, parse("1405-05")) not in table


def test_ranking_needs_the_minimum_number_of_complaints(session, data_set):
    mun, bank = data_set
    ranked = cards.build(session, parse("1405-Q3"), deadline=THREE_HOURS, minimum=2)
    by_agency = {c.agency.id: c for c in ranked}
    assert by_agency[mun].rank == 1 and by_agency[bank].rank is None
    assert by_agency[bank].unranked == cards.TOO_FEW
    both = cards.build(session, parse("1405-Q3"), deadline=THREE_HOURS, minimum=1)
    # The bank answered its one complaint in time (1/1): it ranks above MUN-TEH (1/3).
    assert [c.agency.id for c in both] == [bank, mun] and [c.rank for c in both] == [1, 2]


def test_no_rank_for_a_period_the_agency_joined_during(session, data_set):
    mun, _bank = data_set
    agency(session, "MUN-TEH").joined_on = date(2026, 10, 1)  # 9 Mehr 1405
    session.commit()
    mehr = {c.agency.id: c for c in cards.build(session, parse("1405-07"), deadline=THREE_HOURS, minimum=1)}
    shahrivar = {c.agency.id: c for c in cards.build(session, parse("1405-06"), deadline=THREE_HOURS, minimum=1)}
    assert mehr[mun].rank is None and mehr[mun].unranked == cards.JOINED_LATE
    assert shahrivar[mun].unranked == cards.JOINED_LATE
    assert mehr[mun].figures.complaints == 3  # the card is shown, only not ranked


def test_csv_export_has_the_figures_and_no_personal_data(client, session, data_set, login):
    login("reza")
    response = client.get("/console/reports.csv?period=1405")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    mun = next(r for r in rows if r["agency"] == "MUN-TEH")
    assert (mun["complaints"], mun["share_in_time"], mun["first_answer_median_min"],
            mun["result_median_min"], mun["escalations"]) == ("6", "0.5000", "30.0", "105.0", "3")
    assert "+98912" not in response.get_data(as_text=True)


def test_public_page_shows_the_same_aggregates_without_personal_data(app, session, data_set):
    public = app.test_client()
    html = public.get("/reports?period=1405").get_data(as_text=True)
    assert "ادارهٔ کل امور شهری استانداری تهران" in html
    assert 'data-figure="complaints">۶<' in html and 'data-figure="share_in_time">۵۰٪<' in html
    assert 'data-figure="satisfaction">۳٫۷ <small>(۳ پاسخ)' in html  # 11/3, Persian decimal separator
    assert "<svg" in html  # a chart per card
    for private in ("+98912", "۰۹۱۲", "+۹۸۹۱۲", "کارمند باجه", "/console/tickets"):
        assert private not in html
    assert public.get("/reports.csv?period=1405-Q3").status_code == 200


def test_console_agency_page_shows_the_year_its_quarters_and_months(client, data_set, login):
    login("sara")
    html = client.get("/console/reports/MUN-TEH?period=1405").get_data(as_text=True)
    for label in ("سال ۱۴۰۵", "تابستان ۱۴۰۵", "پاییز ۱۴۰۵", "شهریور ۱۴۰۵", "مهر ۱۴۰۵"):
        assert label in html
    assert html.count("<svg") == 5
    assert client.get("/console/reports/NOPE?period=1405").status_code == 404
    assert client.get("/console/reports?period=1405-13").status_code == 404


def test_cards_come_from_the_rollup_until_it_is_older_than_the_max_age(session, data_set):
    mun, _bank = data_set
    q3, now = parse("1405-Q3"), utc(2026, 11, 1, 12, 0)
    first = rollup.table(session, q3, deadline=THREE_HOURS, max_age=timedelta(minutes=10), now=now)
    assert first[(mun, q3)].complaints == 3
    late = referred(session, "MUN-TEH", at=utc(2026, 10, 20, 9, 0), caller="09121000077")
    cached = rollup.table(session, q3, deadline=THREE_HOURS, max_age=timedelta(minutes=10),
                          now=now + timedelta(minutes=5))
    assert cached[(mun, q3)].complaints == 3  # rolled up 5 minutes ago: still fresh enough
    later = rollup.table(session, q3, deadline=THREE_HOURS, max_age=timedelta(minutes=10),
                         now=now + timedelta(minutes=11))
    assert later[(mun, q3)].complaints == 4 and late.code


def test_months_before_last_are_rolled_up_again_after_a_day(session, data_set):
    mun, _bank = data_set
    q2, now = parse("1405-Q2"), utc(2026, 11, 1, 12, 0)  # Aban: Shahrivar is two months back
    rollup.table(session, q2, deadline=THREE_HOURS, max_age=timedelta(minutes=10), now=now)
    referred(session, "MUN-TEH", at=utc(2026, 9, 20, 9, 0), caller="09121000078")
    hour = rollup.table(session, q2, deadline=THREE_HOURS, max_age=timedelta(minutes=10),
                        now=now + timedelta(hours=1))
    day = rollup.table(session, q2, deadline=THREE_HOURS, max_age=timedelta(minutes=10),
                       now=now + timedelta(days=1, minutes=1))
    assert hour[(mun, q2)].complaints == 3 and day[(mun, q2)].complaints == 4


def test_another_deadline_rolls_the_months_up_again(session, data_set):
    mun, _bank = data_set
    q2 = parse("1405-Q2")
    three = rollup.table(session, q2, deadline=THREE_HOURS, max_age=timedelta(hours=1))
    six = rollup.table(session, q2, deadline=timedelta(hours=6), max_age=timedelta(hours=1))
    assert three[(mun, q2)].answered_in_time == 2 and six[(mun, q2)].answered_in_time == 3


def test_foad_reports_refresh_rolls_up_ahead_of_time(settings, session, data_set):
    from click.testing import CliRunner

    from foad.cli import main

    env = {"DATABASE_URL": settings.database_url, "FOAD_DATA_DIR": str(settings.data_dir),
           "FOAD_SECRET_KEY": "x"}
    result = CliRunner().invoke(main, ["reports", "refresh", "1405"], env=env)
    assert result.exit_code == 0, result.output
    assert rollup.stale_months(session, parse("1405"), THREE_HOURS, timedelta(minutes=10), utcnow()) == []
    session.commit()
    bad = CliRunner().invoke(main, ["reports", "refresh", "1405-13"], env=env)
    assert bad.exit_code == 2


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
