"""Business-hours mode: the clock counts Saturday–Wednesday office hours, Tehran time, minus holidays."""

from datetime import date, time, timedelta

import pytest

from models.deadlines import DeadlinePolicy, WorkingHours
from models.holidays import Holiday, import_rows, parse_day
from models.messages import Purpose
from models.tickets import Ticket, TicketStatus
from tests.worker.helpers import JOBS_BUT_SENDING, open_at, release, scheduled, tehran, texts

OFFICE = (time(7, 30), time(14, 30))
THREE_HOURS = timedelta(hours=3)


@pytest.mark.parametrize("start, due", [
    (tehran(2026, 11, 28, 9, 0), tehran(2026, 11, 28, 12, 0)),  # Saturday: the same day
    (tehran(2026, 11, 25, 13, 0), tehran(2026, 11, 28, 9, 0)),  # Wednesday 13:00: over the weekend
    (tehran(2026, 11, 26, 10, 0), tehran(2026, 11, 28, 10, 30)),  # Thursday: from Saturday's opening
    (tehran(2026, 11, 27, 23, 0), tehran(2026, 11, 28, 10, 30)),  # Friday night
    (tehran(2026, 11, 29, 6, 0), tehran(2026, 11, 29, 10, 30)),  # before opening
    (tehran(2026, 11, 29, 16, 0), tehran(2026, 11, 30, 10, 30)),  # after closing
])
def test_working_time_skips_nights_and_the_thursday_friday_weekend(start, due):
    assert WorkingHours(*OFFICE).add(start, THREE_HOURS) == due


def test_a_holiday_is_skipped_like_a_weekend_day():
    saturday_off = WorkingHours(*OFFICE, frozenset({date(2026, 11, 28)}))
    assert saturday_off.add(tehran(2026, 11, 25, 13, 0), THREE_HOURS) == tehran(2026, 11, 29, 9, 0)


def test_the_reminder_is_at_two_thirds_of_the_working_time():
    rules = DeadlinePolicy(THREE_HOURS, WorkingHours(*OFFICE))
    assert rules.reminder(tehran(2026, 11, 25, 13, 0)) == tehran(2026, 11, 28, 8, 0)
    assert DeadlinePolicy(THREE_HOURS).reminder(tehran(2026, 11, 25, 13, 0)) == tehran(2026, 11, 25, 15, 0)


def test_a_calendar_with_no_working_day_says_so():
    every_day_off = WorkingHours(*OFFICE, frozenset(date(2026, 1, 1) + timedelta(days=n) for n in range(800)))
    with pytest.raises(ValueError, match="no working hours"):
        every_day_off.add(tehran(2026, 1, 1, 9, 0), THREE_HOURS)


def test_holidays_are_imported_as_data_in_either_calendar(session):
    assert import_rows(session, [{"date": "1405-09-07", "name": "تعطیل رسمی"},
                                 {"date": "2026-12-25", "name": "Test day"}]) == (2, 0)
    assert import_rows(session, [{"date": "۲۰۲۶-۱۲-۲۵", "name": "Renamed"}]) == (0, 1)
    assert session.get(Holiday, date(2026, 11, 28)).name == "تعطیل رسمی"
    assert parse_day("1405-02-31") == date(2026, 5, 21)  # a Jalali day with no Gregorian twin number
    with pytest.raises(ValueError, match="line 3"):
        import_rows(session, [{"date": "1405-09-08", "name": "ok"}, {"date": "1405-13-01", "name": "x"}])
    assert session.get(Holiday, date(2026, 11, 29)) is None  # a file with a bad row imports nothing


def test_a_ticket_on_wednesday_afternoon_escalates_after_the_weekend_and_a_holiday(
        runtime, session, work, configure):
    import_rows(session, [{"date": "1405-09-07", "name": "تعطیل"}])  # Saturday 2026-11-28
    wednesday = tehran(2026, 11, 25, 13, 0)
    configure(business_hours=OFFICE, fixed_now=wednesday)
    ticket = open_at(session, wednesday, sector="tax", province="hamadan")
    work(JOBS_BUT_SENDING)
    session.refresh(ticket)
    session.commit()
    sunday_nine = tehran(2026, 11, 29, 9, 0)
    assert ticket.due_at == sunday_nine
    assert scheduled(runtime)[f"clock-{ticket.id}-0-remind"] == tehran(2026, 11, 29, 8, 0)

    for moment in (tehran(2026, 11, 28, 12, 0), tehran(2026, 11, 29, 8, 0), sunday_nine):
        configure(fixed_now=moment)
        release(runtime, moment)
        work(JOBS_BUT_SENDING)
    ticket = session.get(Ticket, ticket.id, populate_existing=True)
    assert ticket.status == TicketStatus.ESCALATED and ticket.agency.code == "INTA"
    assert ticket.due_at == tehran(2026, 11, 29, 12, 0)  # the next level gets three working hours
    assert [m.purpose for m in texts(session, ticket)] == [
        Purpose.REFERRAL, Purpose.REMINDER, Purpose.ESCALATION]
