"""Routing: each ticket goes to the right unit's head of inspection, is texted once, and the clock starts."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from models import actions, notices, routing
from models.agencies import Official
from models.errors import DomainError
from models.events import Event
from models.messages import Purpose
from models.outbox import OutboxItem
from models.tickets import TicketEvent, TicketStatus, Via
from tests.builders import agency, make_ticket
from tests.retries import run_retries_now
from tests.worker.helpers import JOBS_BUT_SENDING, open_at, tehran, texts
from worker.routing import route_ticket


@pytest.mark.parametrize("complaint, expected, rule", [
    ({"sector": "municipality", "province": "tehran", "county": "Shahriar"}, "MUN-TEH-SHAHRIAR", "county"),
    ({"sector": "municipality", "province": "tehran", "county": " shahriar "}, "MUN-TEH-SHAHRIAR", "county"),
    ({"sector": "tax", "province": "tehran", "county": "Shemiranat"}, "TAX-TEH-SHEMIRANAT", "county"),
    ({"sector": "tax", "province": "tehran", "county": "Rey"}, "TAX-TEH", "province"),
    ({"sector": "banks", "province": "hamadan"}, "BMI-HAM", "province"),
    ({"sector": "banks", "province": "fars"}, "CBI", "national"),
    ({"sector": "banks"}, "CBI", "national"),
    ({"sector": "civil_registry", "province": "fars"}, "NOCR", "national"),  # no ministry: its organization
    ({"sector": "social_security", "caller": "08132223344"}, "SSO-HAM", "province"),  # landline's area code
    ({"sector": "tax", "caller": "+447700900123"}, "MFA-CONS", "consular"),
    ({"caller": "+14155550123"}, "MFA-CONS", "consular"),
    ({"province": "hamadan"}, "FOAD-HAM", "working_group"),
    ({"province": "fars"}, "ARAO", "working_group"),
    ({}, "ARAO", "working_group"),
])
def test_the_routing_rules(session, complaint, expected, rule):
    ticket = make_ticket(session, **complaint)
    referral = routing.choose(session, ticket)
    assert (referral.agency.code, referral.rule) == (expected, rule)
    assert referral.official.agency_id == referral.agency.id


def test_an_agency_the_caller_chose_is_kept(session):
    ticket = make_ticket(session, sector="banks", province="tehran", agency_id=agency(session, "SSO-TEH").id)
    assert routing.choose(session, ticket).agency.code == "SSO-TEH"


def test_a_unit_with_no_active_official_passes_the_case_up(session):
    county = agency(session, "MUN-TEH-SHAHRIAR")
    session.execute(update(Official).where(Official.agency_id == county.id).values(active=False))
    session.commit()
    ticket = make_ticket(session, sector="municipality", province="tehran", county="Shahriar")
    assert routing.choose(session, ticket).agency.code == "MUN-TEH"


def test_route_ticket_refers_starts_the_clock_and_texts_the_head_once(session, work, configure):
    configure(public_base_url="https://foad.example.ir")
    registered = tehran(2026, 11, 28, 9, 0)
    ticket = open_at(session, registered, sector="municipality", province="tehran", county="Tehran")
    assert work(JOBS_BUT_SENDING)
    session.refresh(ticket)
    assert ticket.status == TicketStatus.REFERRED and ticket.agency.code == "MUN-TEH-TEHRAN"
    assert ticket.official.name == "بازرس شهرداری تهران"
    assert ticket.due_at == registered + timedelta(hours=3)
    assert [e.kind for e in ticket.events] == ["registered", "referred"]
    assert ticket.events[1].data["rule"] == "county"
    [sms] = texts(session, ticket, Purpose.REFERRAL)
    assert sms.number == "+989970000041"
    assert notices.render("referral", "fa", code=ticket.code, category="", summary="", link="")[:10] in sms.body
    assert "امروز رفتم" in sms.body and "سایر موارد" in sms.body  # first words, category
    assert f"https://foad.example.ir/console/tickets/{ticket.code}" in sms.body
    assert session.scalar(select(OutboxItem).where(OutboxItem.key == f"send_sms:{sms.id}")) is not None

    session.commit()
    route_ticket(ticket.id)  # a retry, or the relay's second copy
    assert len(texts(session, ticket, Purpose.REFERRAL)) == 1
    session.refresh(ticket)
    assert [e.kind for e in ticket.events] == ["registered", "referred"]


def test_a_voice_complaint_is_named_as_such(session, work):
    ticket = make_ticket(session, via=Via.CALL, text=None, voice_path="2026/11/a.wav", caller="09121234567")
    work(JOBS_BUT_SENDING)
    [sms] = texts(session, ticket, Purpose.REFERRAL)
    assert "شکایت صوتی" in sms.body
    assert "/console/" not in sms.body  # no public address configured: no broken link


def test_the_officials_text_stays_within_two_segments(session, work, configure):
    configure(public_base_url="https://foad.administrative-affairs.ir")  # 37 characters
    ticket = make_ticket(session, category="needless_documents", text="سلام " * 400)
    work(JOBS_BUT_SENDING)
    [sms] = texts(session, ticket, Purpose.REFERRAL)
    assert len(sms.body) <= notices.LIMIT
    assert sms.body.endswith(f"/console/tickets/{ticket.code}") and "سلام…" in sms.body


def test_a_withdrawn_ticket_is_not_routed(session, work):
    ticket = make_ticket(session)
    actions.reject(session, ticket, "not about a public office", actor="user:maryam")
    work(JOBS_BUT_SENDING)
    session.refresh(ticket)
    assert ticket.status == TicketStatus.REJECTED and ticket.official_id is None
    assert texts(session, ticket) == []


def test_reassign_keeps_the_clock_and_texts_the_new_head(session, work):
    ticket = make_ticket(session, sector="tax", province="tehran")
    work(JOBS_BUT_SENDING)
    session.refresh(ticket)
    due = ticket.due_at
    routing.reassign(session, ticket, agency(session, "MUN-TEH"), "user:maryam")
    session.refresh(ticket)
    assert ticket.agency.code == "MUN-TEH" and ticket.official.mobile == "+989970000023"
    assert ticket.due_at == due and ticket.status == TicketStatus.REFERRED
    assert ticket.events[-1].actor == "user:maryam"
    assert ticket.events[-1].data["previous_agency"] == "TAX-TEH"
    assert [m.number for m in texts(session, ticket, Purpose.REFERRAL)] == ["+989970000026", "+989970000023"]
    with pytest.raises(DomainError, match="already with MUN-TEH"):
        routing.reassign(session, ticket, agency(session, "MUN-TEH"), "user:maryam")


def test_a_ticket_reassigned_before_routing_keeps_its_agency_and_gets_its_clock(session, work):
    registered = tehran(2026, 11, 28, 9, 0)
    ticket = open_at(session, registered, sector="tax", province="tehran")
    routing.reassign(session, ticket, agency(session, "BMI-TEH"), "user:maryam")
    work(JOBS_BUT_SENDING)
    session.refresh(ticket)
    assert ticket.agency.code == "BMI-TEH" and ticket.due_at == registered + timedelta(hours=3)
    assert len(texts(session, ticket, Purpose.REFERRAL)) == 1


def test_a_ticket_nobody_can_take_says_why_once_and_is_routed_once_the_directory_is_fixed(
        runtime, session, work):
    session.execute(update(Official).values(active=False))
    session.commit()
    ticket = make_ticket(session, sector="banks", province="tehran")
    work(JOBS_BUT_SENDING)
    assert run_retries_now(runtime.redis) == 1  # failed, and RQ will try again
    work(JOBS_BUT_SENDING)
    stuck = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                      TicketEvent.kind == Event.ROUTING_STUCK)).all()
    assert len(stuck) == 1 and "no active official" in stuck[0].note
    session.execute(update(Official).values(active=True))
    session.commit()
    assert run_retries_now(runtime.redis) == 1
    work(JOBS_BUT_SENDING)
    session.refresh(ticket)
    assert ticket.status == TicketStatus.REFERRED and ticket.agency.code == "BMI-TEH"
    assert len(texts(session, ticket, Purpose.REFERRAL)) == 1
