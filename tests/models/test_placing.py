"""Intake reads every channel's complaint text for what the channel left open: the sure values
go on the ticket, the channel's own choices stay, the reading is on the timeline, and what is
still missing is what a channel that can ask would ask."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.events import Event
from models.intake import Complaint, IntakeRules, open_ticket
from models.placing import TriageState
from models.tickets import Ticket, Via
from tests.builders import NEUTRAL, agency

RULES = IntakeRules(max_per_hour=1000)


def opened(session, **fields):
    complaint = {"via": Via.APP, "caller": "09121234567", **fields}
    return open_ticket(session, Complaint(**complaint), RULES)


def test_an_app_complaints_text_places_it(session):
    found = opened(session, text="شهرداری ملایر کارم را دو ماه معطل کرده")
    ticket = found.ticket
    assert (ticket.sector_code, ticket.province_code, ticket.county, ticket.category_code) == (
        "municipality", "hamadan", "Malayer", "delay")
    assert ticket.agency_id == agency(session, "MUN-HAM-MALAYER").id
    assert found.placement.asks == ()
    registered, triaged = ticket.events
    assert (registered.kind, triaged.kind, triaged.actor) == ("registered", Event.TRIAGED, "system")
    assert triaged.data["applied"]["agency"] == "MUN-HAM-MALAYER"
    assert triaged.data["reading"]["sector"]["rule"] == "keyword"
    assert "شهرداری" in triaged.data["reading"]["sector"]["evidence"]


def test_what_the_channel_chose_stays(session):
    ticket = opened(session, text="شهرداری همدان به من توهین کرد", sector="tax", province="tehran",
                    category="delay").ticket
    assert (ticket.sector_code, ticket.province_code, ticket.category_code) == ("tax", "tehran", "delay")
    assert (ticket.agency_id, ticket.county) == (None, None)  # Hamadan's municipality is not the tax office
    assert ticket.events[1].data["fixed"] == ["category", "province", "sector"]


def test_the_default_category_is_no_choice_and_a_sure_one_replaces_it(session):
    assert opened(session, text="کارمند بی‌ادبی کرد").ticket.category_code == "misconduct"
    assert opened(session, text=NEUTRAL).ticket.category_code == "other"


def test_the_text_names_another_province_than_the_landline_and_wins(session):
    ticket = opened(session, caller="02188776655", text="در ملایر کارمند بی‌ادبی کرد").ticket
    assert (ticket.province_code, ticket.county) == ("hamadan", "Malayer")
    assert opened(session, caller="02188776656", text="کارمند بی‌ادبی کرد").ticket.province_code == "tehran"


def test_a_complaint_without_words_is_not_read(session):
    found = opened(session, via=Via.CALL, text=None, voice_path="v/1.wav")
    assert found.placement is None and [e.kind for e in found.ticket.events] == ["registered"]


def test_words_that_suggest_nothing_leave_no_reading_on_the_timeline(session):
    found = opened(session, text=NEUTRAL)
    assert found.placement.asks == ("sector", "province")
    assert [e.kind for e in found.ticket.events] == ["registered"]


@pytest.mark.parametrize("fields, asks", [
    ({"text": "کارمند بی‌ادبی کرد"}, ("sector", "province")),
    ({"text": "مالیات را دو بار گرفتند"}, ("province",)),
    ({"text": "در همدان کارمند بی‌ادبی کرد"}, ("sector",)),
    ({"text": "بانک ملی معطلم کرد"}, ("province",)),  # a national body: its office is in a province
    ({"text": "شعبه بانک ملی در همدان معطلم کرد"}, ()),
    ({"text": "کارمند بی‌ادبی کرد", "caller": "+447700900123"}, ()),  # abroad: the consular unit
    ({"text": "کارمند بی‌ادبی کرد", "agency_id": "SSO-TEH"}, ()),  # an agency the channel chose
])
def test_what_is_left_to_ask(session, fields, asks):
    if "agency_id" in fields:
        fields = {**fields, "agency_id": agency(session, fields["agency_id"]).id}
    assert opened(session, **fields).placement.asks == asks


def test_intake_asks_nothing_itself(session):
    ticket = opened(session, via=Via.SMS, text="کارمند بی‌ادبی کرد").ticket
    assert session.scalar(select(TriageState).where(TriageState.ticket_id == ticket.id)) is None
    assert session.get(Ticket, ticket.id).status == "registered"
