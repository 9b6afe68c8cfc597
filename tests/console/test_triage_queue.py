"""The dispatcher's queue: who sees it, what it shows, accepting triage's suggestions, placing
a ticket by hand, the agency picker, setting category and province, and sending a ticket back."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import questions
from models.base import utcnow
from models.carrying import carrying
from models.events import Event
from models.intake import Complaint, IntakeRules, open_ticket
from models.messages import Purpose
from models.persian import jalali
from models.tickets import Ticket, TicketEvent, TicketStatus, Via
from tests.builders import NEUTRAL
from tests.console.conftest import referred, reload
from tests.worker.helpers import JOBS_BUT_SENDING, texts
from worker.routing import route_ticket

RULES = IntakeRules(max_per_hour=1000)
RUDE_TEXT = "کارمند بی‌ادبی کرد"
"""Names a kind of fault and nothing else: its service and province are asked."""


def waiting(session, text: str, *, caller: str = "09121234567", ago: timedelta = timedelta(minutes=2)) -> Ticket:
    """An SMS complaint whose citizen was asked where it goes (as the SMS channel asks)."""
    at = utcnow() - ago
    opened = open_ticket(session, Complaint(via=Via.SMS, caller=caller, text=text), RULES, now=at)
    asked = questions.ask(opened.ticket, opened.placement, at)
    assert asked is not None
    carrying(session.connection(), *asked.writes[0], asked.writes[1:])  # as its reply carries them
    session.commit()
    return opened.ticket


def held(session, text: str = NEUTRAL, *, caller: str = "09121234567", ago: timedelta = timedelta(minutes=30),
         **fields) -> Ticket:
    """A complaint routing sent to a working group (no question asked: a call, say)."""
    ticket = open_ticket(session, Complaint(via=Via.APP, caller=caller, text=text, **fields), RULES,
                         now=utcnow() - ago).ticket
    route_ticket(ticket.id)
    return reload(session, ticket)


def timeline(session, ticket: Ticket) -> list[TicketEvent]:
    """The ticket's events as stored now, the read ended (on SQLite it holds the write lock)."""
    found = list(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                 .order_by(TicketEvent.id)))
    session.commit()
    return found


def codes(html: str) -> list[str]:
    return re.findall(r'<article class="card queue-item" id="q-(\d+)"', html)


def queue_of(client, login, who: str) -> str:
    login(who)
    response = client.get("/console/triage")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def tickets(session):
    """Tickets at the national and Tehran's working groups, three waiting for an answer (in
    Tehran, in Hamadan, and where no province is known), and one a municipality has."""
    return {
        "at_arao": held(session, ago=timedelta(hours=2)),
        "at_foad_teh": held(session, "حق بیمه", caller="02188776655", ago=timedelta(hours=1)),
        "waiting_tehran": waiting(session, "کارمند در تهران بی‌ادبی کرد", caller="09120000001",
                                  ago=timedelta(minutes=5)),
        "waiting_hamadan": waiting(session, "در همدان کارمند بی‌ادبی کرد", caller="09120000004",
                                   ago=timedelta(minutes=3)),
        "waiting_anywhere": waiting(session, "کارمند بی‌ادبی کرد", caller="09120000005", ago=timedelta(minutes=1)),
        "municipal": referred(session, "MUN-TEH", caller="09120000002"),
    }


def test_the_queue_is_for_supervisors_and_working_group_members(client, login, tickets):
    for who in ("sara", "dana", "omid"):
        assert queue_of(client, login, who)
    for who, status in (("reza", 403), ("ali", 403)):
        login(who)
        assert client.get("/console/triage").status_code == status
    login("dana")
    assert "صف ارجاع" in client.get("/console/tickets").get_data(as_text=True)
    login("reza")
    assert "صف ارجاع" not in client.get("/console/tickets").get_data(as_text=True)


def test_tickets_held_at_a_working_group_or_waiting_come_oldest_first(client, login, tickets):
    html = queue_of(client, login, "sara")
    assert codes(html) == [tickets[k].code for k in ("at_arao", "at_foad_teh", "waiting_tehran",
                                                     "waiting_hamadan", "waiting_anywhere")]
    assert tickets["municipal"].code not in html


def test_each_ticket_shows_its_text_the_suggestions_and_their_evidence(client, login, session):
    ticket = waiting(session, "بانک ملی معطلم کرد")  # a bank named, no place: its province is asked
    html = queue_of(client, login, "sara")
    assert codes(html) == [ticket.code]
    ends = jalali(ticket.registered_at + timedelta(minutes=10)).split(" ")[-1]
    assert "بانک ملی معطلم کرد" in html and f"در انتظار پاسخ شهروند تا {ends}" in html
    row = re.search(r'<tr data-field="agency" class="sure">(.*?)</tr>', html, re.S).group(1)
    assert "بانک ملی ایران" in row and "<mark>بانک ملی</mark>" in row and "نام دستگاه" in row
    assert '<tr data-field="sector" class="sure">' in html


def test_a_provincial_working_group_sees_its_province_and_the_national_one_all(client, login, tickets):
    assert codes(queue_of(client, login, "dana")) == [tickets["at_foad_teh"].code, tickets["waiting_tehran"].code]
    assert codes(queue_of(client, login, "omid")) == [tickets[k].code for k in (
        "at_arao", "at_foad_teh", "waiting_tehran", "waiting_hamadan", "waiting_anywhere")]


def test_a_dispatcher_opens_a_waiting_ticket_of_their_queue_and_no_other(client, login, session, tickets):
    login("omid")
    assert client.get(f"/console/tickets/{tickets['waiting_hamadan'].code}").status_code == 200
    login("dana")
    assert client.get(f"/console/tickets/{tickets['waiting_hamadan'].code}").status_code == 403
    assert client.get(f"/console/tickets/{tickets['at_foad_teh'].code}").status_code == 200


def test_accepting_a_waiting_ticket_routes_it_at_once_as_suggested(client, login, post, session, work):
    ticket = waiting(session, "بانک ملی معطلم کرد")
    login("sara")
    response = post(f"/console/triage/{ticket.code}/accept", page="/console/triage")
    assert response.status_code == 302 and response.location.startswith("/console/triage")
    assert work(JOBS_BUT_SENDING)
    reload(session, ticket)
    assert (ticket.status, ticket.agency.code) == (TicketStatus.REFERRED, "BMI")
    assert ticket.due_at == ticket.registered_at + timedelta(hours=3)  # from registration
    placed = [(e.actor, e.data["accepted"]) for e in timeline(session, ticket) if e.kind == Event.PLACE_SET]
    assert placed == [("user:sara", True)]
    assert ticket.code not in codes(client.get("/console/triage").get_data(as_text=True))


def test_accepting_a_held_ticket_moves_it_where_the_rules_send_the_suggestion(client, login, post, session):
    ticket = held(session, "حق بیمه", caller="02188776655")  # social security, unsure: Tehran's group
    assert ticket.agency.code == "FOAD-TEH"
    due = ticket.due_at
    login("dana")
    post(f"/console/triage/{ticket.code}/accept", page="/console/triage")
    reload(session, ticket)
    assert (ticket.agency.code, ticket.sector_code, ticket.due_at) == ("SSO-TEH", "social_security", due)
    moved = timeline(session, ticket)[-1]
    assert (moved.kind, moved.actor, moved.data["rule"], moved.data["previous_agency"]) == (
        "referred", "user:dana", "province", "FOAD-TEH")
    [sms] = texts(session, ticket, Purpose.REFERRAL)[-1:]
    assert sms.number == ticket.official.mobile


def test_a_dispatcher_places_a_ticket_by_hand(client, login, post, session):
    ticket = held(session)
    login("sara")
    post(f"/console/triage/{ticket.code}/place", {"agency": "SSO-HAM-MALAYER", "category": "delay", "sector": ""},
         page="/console/triage")
    reload(session, ticket)
    assert (ticket.agency.code, ticket.province_code, ticket.sector_code, ticket.category_code) == (
        "SSO-HAM-MALAYER", "hamadan", "social_security", "delay")
    [placed] = [e for e in timeline(session, ticket) if e.kind == Event.PLACE_SET]
    assert placed.actor == "user:sara" and placed.data["changes"]["agency"] == ["ARAO", "SSO-HAM-MALAYER"]
    assert placed.data["changes"]["category"] == ["other", "delay"]


def test_a_sector_and_province_chosen_go_to_that_services_unit_there(client, login, post, session):
    ticket = held(session)
    login("sara")
    post(f"/console/triage/{ticket.code}/place", {"sector": "tax", "province": "hamadan"}, page="/console/triage")
    assert reload(session, ticket).agency.code == "TAX-HAM"


def test_refusals_come_back_as_messages_on_the_queue(client, login, post, session):
    ticket = held(session)  # nothing read from its words: nothing to accept
    login("sara")
    response = post(f"/console/triage/{ticket.code}/accept", page="/console/triage")
    assert response.location.endswith(f"#q-{ticket.code}")
    assert "پیشنهادی برای پذیرفتن نیست" in client.get(response.location).get_data(as_text=True)
    post(f"/console/triage/{ticket.code}/place", {"agency": "FOAD-TEH"}, page="/console/triage")
    assert "در فهرست دستگاه‌ها نیست" in client.get("/console/triage").get_data(as_text=True)
    assert reload(session, ticket).agency.code == "ARAO"


def test_the_agency_search_finds_names_aliases_and_codes_grouped(client, login):
    login("sara")
    found = client.get("/console/agencies/search?q=ملي").get_json()  # Arabic ي
    assert found["groups"][0]["agencies"][0]["code"] == "BMI"
    assert [g["label"] for g in found["groups"]] == ["کشوری · سازمان وابسته", "تهران · ادارهٔ کل استان",
                                                      "همدان · ادارهٔ کل استان"]
    assert client.get("/console/agencies/search?q=bank melli").get_json()["groups"][0]["agencies"][0]["code"] == "BMI"
    first = client.get("/console/agencies/search?q=SSO-HAM").get_json()["groups"][0]["agencies"][0]
    assert first == {"code": "SSO-HAM", "name_fa": "ادارهٔ کل تأمین اجتماعی استان همدان",
                     "name_en": "Hamadan Province Social Security Directorate", "province": "hamadan",
                     "level": "provincial"}
    some = client.get("/console/agencies/search?q=استان&limit=3").get_json()
    assert sum(len(g["agencies"]) for g in some["groups"]) == 3 and some["more"] is True
    working_groups = client.get("/console/agencies/search?q=کارگروه").get_json()
    assert working_groups == {"query": "کارگروه", "groups": [], "more": False}


def test_the_agency_search_is_for_logged_in_ticket_staff(client, login):
    assert client.get("/console/agencies/search?q=bank").status_code == 302
    login("ali")
    assert client.get("/console/agencies/search?q=bank").status_code == 403


def test_without_a_script_the_picker_lists_the_agencies_found_for_one_ticket(client, login, session):
    first, second = held(session), held(session, caller="09120000003")
    login("sara")
    html = client.get(f"/console/triage?for={second.code}&find=ملایر").get_data(as_text=True)
    pickers = dict(re.findall(r'<select name="agency" id="agency-(\d+)">(.*?)</select>', html, re.S))
    assert 'value="SSO-HAM-MALAYER"' in pickers[second.code] and 'value="MUN-HAM-MALAYER"' in pickers[second.code]
    assert "optgroup" not in pickers[first.code]


def test_category_and_province_are_set_on_any_ticket_with_who_did_it(client, login, post, session):
    ticket = referred(session, "MUN-TEH")
    login("reza")
    page = f"/console/tickets/{ticket.code}"
    post(f"{page}/place", {"category": "misconduct", "province": "tehran"}, page=page)
    reload(session, ticket)
    assert (ticket.category_code, ticket.agency.code) == ("misconduct", "MUN-TEH")  # it stays where it is
    [placed] = [e for e in timeline(session, ticket) if e.kind == Event.PLACE_SET]
    assert (placed.actor, placed.data["changes"]) == ("user:reza", {"category": ["other", "misconduct"],
                                                                     "province": [None, "tehran"]})
    html = client.get(page).get_data(as_text=True)
    assert "تعیین دستگاه، موضوع یا استان" in html
    post(f"{page}/place", {"category": "nonsense"}, page=page)
    assert "در فهرست موضوع‌های شکایت نیست" in client.get(page).get_data(as_text=True)


def test_an_inspector_sends_a_misrouted_ticket_back_with_a_reason(client, login, post, session):
    ticket = referred(session, "MUN-TEH", province="tehran")
    due = ticket.due_at
    login("reza")
    page = f"/console/tickets/{ticket.code}"
    post(f"{page}/return", {"reason": "  "}, page=page)
    assert "بنویسید چرا" in client.get(page).get_data(as_text=True)
    response = post(f"{page}/return", {"reason": "این شکایت دربارهٔ آب است، نه شهرداری"}, page=page)
    assert response.location == "/console/tickets"  # it is no longer theirs to see
    assert client.get(page).status_code == 403
    reload(session, ticket)
    assert (ticket.agency.code, ticket.status, ticket.due_at) == ("FOAD-TEH", TicketStatus.REFERRED, due)
    returned, moved = timeline(session, ticket)[-2:]
    assert (returned.kind, returned.actor, returned.note, returned.data["agency"]) == (
        "returned", "user:reza", "این شکایت دربارهٔ آب است، نه شهرداری", "MUN-TEH")
    assert (moved.kind, moved.data["rule"]) == ("referred", "returned")
    assert ticket.code in codes(queue_of(client, login, "dana"))
    login("dana")
    html = client.get(page).get_data(as_text=True)
    assert "بازگرداندن به کارگروه: ارجاع نادرست" in html and "این شکایت دربارهٔ آب است" in html
    assert "name=\"reason\"" not in html  # a working group sends nothing back


def test_only_a_ticket_an_agency_holds_offers_to_be_sent_back(client, login, session, runtime):
    from models import actions, reopen
    from models.deadlines import policy
    ticket = referred(session, "MUN-TEH", province="tehran")
    login("reza")
    page = f"/console/tickets/{ticket.code}"
    assert 'name="reason"' in client.get(page).get_data(as_text=True)
    actions.resolve(session, reload(session, ticket), "کارمند تذکر گرفت.", actor="user:reza")
    reopen.reopen(session, reload(session, ticket), "شهروند می‌گوید کاری انجام نشده", actor="user:sara",
                  rules=policy(session, runtime.settings), now=utcnow())
    session.rollback()
    html = client.get(page).get_data(as_text=True)
    assert "ثبت نتیجه" in html and 'name="reason"' not in html  # reopened: answered again, not returned


def test_a_ticket_sent_back_twice_is_refused_the_second_time(session):
    from models import dispatch
    from models.errors import DomainError
    ticket = referred(session, "MUN-TEH")
    dispatch.send_back(session, ticket, "not ours", "user:reza")
    with pytest.raises(DomainError):
        dispatch.send_back(session, reload(session, ticket), "again", "user:reza")
    assert session.scalar(select(TicketEvent.id).where(TicketEvent.kind == Event.RETURNED).limit(1))


def test_the_ticket_page_says_which_words_placed_it_and_who_answered_what(client, login, session):
    ticket = open_ticket(session, Complaint(via=Via.APP, caller="09121234567",
                                            text="شهرداری ملایر کارم را دو ماه معطل کرده"), RULES).ticket
    asked = waiting(session, RUDE_TEXT, caller="09120000009")
    login("sara")
    html = client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    entry = re.search(r'<li data-kind="triaged">(.*?)</li>', html, re.S).group(1)
    assert "خواندن متن" in entry and "بخش خدمت: شهرداری" in entry and "موضوع: معطل" in entry
    html = client.get(f"/console/tickets/{asked.code}").get_data(as_text=True)
    assert re.search(r'<li data-kind="question_asked">.*?بخش خدمت', html, re.S)
