"""The answer clock on a controllable clock: reminder at 2/3, escalation up every level, the
sweep, a ticket that cannot climb."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from models import actions
from models.agencies import Official
from models.deadlines import DeadlinePolicy, TicketClock
from models.escalation import ESCALATION_RETRY
from models.events import Event
from models.messages import Purpose
from models.tickets import Ticket, TicketEvent, TicketStatus
from models.tracking import for_reading
from tests.builders import agency
from tests.worker.helpers import JOBS_BUT_SENDING, open_at, release, scheduled, tehran, texts
from worker import clock
from worker.routing import route_ticket

NINE = tehran(2026, 11, 28, 9, 0)  # a Saturday morning
HOURS = timedelta(hours=1)


@pytest.fixture
def routed(session, work, configure):
    """A municipal complaint from Tehran county, registered and routed at NINE."""
    configure(fixed_now=NINE, public_base_url="https://foad.example.ir")
    ticket = open_at(session, NINE, sector="municipality", province="tehran", county="Tehran")
    work(JOBS_BUT_SENDING)
    session.refresh(ticket)
    session.commit()
    return ticket


def advance(runtime, configure, work, moment) -> None:
    """Let the clock reach `moment`: RQ's scheduler releases what is due, the workers run it."""
    configure(fixed_now=moment)
    release(runtime, moment)
    work(JOBS_BUT_SENDING)


def kinds(session, ticket) -> list[str]:
    found = list(session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)
                                 .order_by(TicketEvent.id)))
    session.commit()
    return found


def test_routing_schedules_the_reminder_at_two_thirds_and_the_reminder_the_deadline(
        runtime, session, routed, configure, work):
    assert scheduled(runtime) == {f"clock-{routed.id}-0-remind": NINE + 2 * HOURS}
    advance(runtime, configure, work, NINE + 2 * HOURS)
    assert scheduled(runtime) == {f"clock-{routed.id}-0-due": NINE + 3 * HOURS}


def test_the_official_is_reminded_once_at_two_thirds(runtime, session, routed, configure, work):
    advance(runtime, configure, work, NINE + 2 * HOURS - timedelta(minutes=1))
    assert texts(session, routed, Purpose.REMINDER) == []
    advance(runtime, configure, work, NINE + 2 * HOURS)
    [reminder] = texts(session, routed, Purpose.REMINDER)
    assert reminder.number == "+989970000041"
    assert "۱۲:۰۰" in reminder.body and f"/console/tickets/{routed.code}" in reminder.body
    clock.check_clock(routed.id)  # woken again (the sweep, a retry): nothing more
    assert len(texts(session, routed, Purpose.REMINDER)) == 1
    assert kinds(session, routed) == ["registered", "referred", Event.REMINDER_SENT]


def test_at_the_deadline_the_ticket_climbs_one_level_and_the_next_official_is_texted(
        runtime, session, routed, configure, work):
    advance(runtime, configure, work, NINE + 3 * HOURS)
    ticket = session.get(Ticket, routed.id, populate_existing=True)
    assert ticket.status == TicketStatus.ESCALATED and ticket.escalation_level == 1
    assert ticket.agency.code == "MUN-TEH" and ticket.due_at == NINE + 6 * HOURS
    breach = session.scalars(select(TicketEvent).where(TicketEvent.kind == Event.BREACH)).one()
    assert breach.data["agency"] == "MUN-TEH-TEHRAN" and breach.data["level"] == 0
    [escalation] = texts(session, ticket, Purpose.ESCALATION)
    assert escalation.number == "+989970000023" and for_reading(ticket.code) in escalation.body
    assert scheduled(runtime)[f"clock-{ticket.id}-1-remind"] == NINE + 5 * HOURS


def test_escalation_climbs_every_level_to_the_national_working_group_and_stops(
        runtime, session, routed, configure, work):
    moment = NINE
    for _ in range(7):
        moment += 3 * HOURS
        advance(runtime, configure, work, moment)
    breaches = session.scalars(select(TicketEvent).where(TicketEvent.kind == Event.BREACH)
                               .order_by(TicketEvent.id)).all()
    assert [b.data["agency"] for b in breaches] == [
        "MUN-TEH-TEHRAN", "MUN-TEH", "IMVO", "MOI", "FOAD-TEH", "ARAO"]
    ticket = session.get(Ticket, routed.id, populate_existing=True)
    assert ticket.agency.code == "ARAO" and ticket.escalation_level == 5
    assert [m.number for m in texts(session, ticket, Purpose.ESCALATION)] == [
        "+989970000023", "+989970000011", "+989970000002", "+989970000021", "+989970000001"]
    assert session.get(TicketClock, ticket.id, populate_existing=True).next_at is None
    session.commit()


def test_acknowledging_stops_nothing(runtime, session, routed, configure, work):
    actions.acknowledge(session, routed, actor=f"official:{routed.official_id}", at=NINE + HOURS)
    advance(runtime, configure, work, NINE + 2 * HOURS)
    advance(runtime, configure, work, NINE + 3 * HOURS)
    assert Event.REMINDER_SENT in kinds(session, routed) and Event.BREACH in kinds(session, routed)
    assert session.get(Ticket, routed.id, populate_existing=True).status == TicketStatus.ESCALATED
    session.commit()


def test_a_result_stops_the_clock(runtime, session, routed, configure, work):
    actions.resolve(session, routed, "کارمند تذکر گرفت", actor="official:1", at=NINE + HOURS)
    advance(runtime, configure, work, NINE + 10 * HOURS)
    assert Event.REMINDER_SENT not in kinds(session, routed) and Event.BREACH not in kinds(session, routed)
    assert session.get(TicketClock, routed.id, populate_existing=True).next_at is None
    session.commit()


def test_the_sweep_catches_what_redis_forgot(runtime, session, routed, configure, work):
    runtime.redis.flushdb()  # Redis restarted without its data: the wake-ups are gone
    configure(fixed_now=NINE + 3 * HOURS)
    assert clock.sweep_deadlines() == 1
    ticket = session.get(Ticket, routed.id, populate_existing=True)
    assert ticket.status == TicketStatus.ESCALATED and ticket.agency.code == "MUN-TEH"
    assert f"clock-{ticket.id}-1-remind" in scheduled(runtime)  # the new level's wake-up is back
    session.commit()
    assert clock.sweep_deadlines() == 0


def test_an_early_wake_up_does_nothing_and_a_repeated_one_does_nothing_twice(session, routed):
    rules = DeadlinePolicy(timedelta(hours=3))
    assert clock.check(session, routed.id, NINE + HOURS, rules).action == "none"
    assert clock.check(session, routed.id, NINE + 3 * HOURS, rules).action == "escalated"
    assert clock.check(session, routed.id, NINE + 3 * HOURS, rules).action == "none"
    assert len(texts(session, routed, Purpose.ESCALATION)) == 1


def test_a_ticket_nobody_above_can_take_is_noted_once_and_holds_up_no_other(
        runtime, session, routed, configure):
    other = open_at(session, NINE + HOURS + timedelta(minutes=1), sector="municipality",
                    province="tehran", county="Tehran")
    route_ticket(other.id)
    county = agency(session, "MUN-TEH-TEHRAN")
    session.execute(update(Official).where(Official.agency_id != county.id).values(active=False))
    session.commit()
    runtime.redis.flushdb()  # only the sweep acts: the stuck ticket comes first in it
    configure(fixed_now=NINE + 3 * HOURS + timedelta(minutes=2))
    assert clock.sweep_deadlines() == 2  # the stuck ticket noted, the other one reminded
    assert kinds(session, routed) == ["registered", "referred", Event.BREACH, Event.ESCALATION_STUCK]
    assert "no active official" in session.scalars(select(TicketEvent.note).where(
        TicketEvent.kind == Event.ESCALATION_STUCK)).one()
    assert len(texts(session, other, Purpose.REMINDER)) == 1
    configure(fixed_now=NINE + 3 * HOURS + ESCALATION_RETRY + timedelta(minutes=3))
    clock.sweep_deadlines()  # tried again, still stuck: nothing new on the timeline
    assert kinds(session, routed) == ["registered", "referred", Event.BREACH, Event.ESCALATION_STUCK]

    session.execute(update(Official).values(active=True))  # the directory is fixed
    session.commit()
    configure(fixed_now=NINE + 3 * HOURS + 2 * ESCALATION_RETRY + timedelta(minutes=4))
    assert clock.sweep_deadlines() == 1
    ticket = session.get(Ticket, routed.id, populate_existing=True)
    assert ticket.agency.code == "MUN-TEH" and ticket.status == TicketStatus.ESCALATED
    assert kinds(session, routed).count(Event.BREACH) == 1  # the breach was counted once
    assert len(texts(session, ticket, Purpose.ESCALATION)) == 1
