"""Working a ticket together in the console: notes and mentions, assignment, asking the
citizen, reopening, and a timeline that names people and tells one story per send."""

import re

from sqlalchemy import select

from models import actions, lifecycle, textback
from models.agencies import Official
from models.events import Event
from models.messages import Message, MessageStatus, Purpose
from models.notes import Mention
from models.surveys import SurveyAnswer
from models.tickets import TicketStatus, Via, record
from models.users import User
from tests.console.conftest import received, referred, reload


def page(client, code: str) -> str:
    return client.get(f"/console/tickets/{code}").get_data(as_text=True)


def test_a_note_with_a_mention_reaches_the_mentioned_inspector(client, session, login, post, person):
    ticket = referred(session, "MUN-TEH")
    person("reza")
    login("sara")
    done = post(f"/console/tickets/{ticket.code}/note", {"note": "@reza لطفاً با شعبه تماس بگیر"},
                page=f"/console/tickets/{ticket.code}")
    assert done.status_code == 302
    html = page(client, ticket.code)
    assert "یادداشت ثبت شد" in html and 'class="note"' in html and "لطفاً با شعبه تماس بگیر" in html
    assert 'data-mention="reza"' in html  # the chips offer the people who see the ticket
    assert received_texts(session) == []  # a note is never texted

    client.post("/console/logout", data={"csrf_token": csrf(client, "/console/tickets")})
    login("reza")
    tickets_page = client.get("/console/tickets").get_data(as_text=True)
    assert 'data-unread="1"' in tickets_page and '<span class="badge">۱</span>' in tickets_page
    mine = client.get("/console/mentions").get_data(as_text=True)
    assert f'data-ticket="{ticket.code}"' in mine and "خوانده نشده" in mine
    page(client, ticket.code)  # opening the ticket reads it
    assert 'data-unread="0"' in client.get("/console/mentions").get_data(as_text=True)
    assert session.scalar(select(Mention.read_at)) is not None
    session.commit()


def received_texts(session) -> list[Message]:
    found = list(session.scalars(select(Message)))
    session.commit()
    return found


def csrf(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_mentioning_someone_who_cannot_see_the_ticket_says_who(client, session, login, post, person):
    ticket = referred(session, "MUN-TEH")
    person("bita")  # a bank's inspector
    login("sara")
    post(f"/console/tickets/{ticket.code}/note", {"note": "@bita ببین"}, page=f"/console/tickets/{ticket.code}")
    html = page(client, ticket.code)
    assert "این نام‌ها کاربری نیستند که این شکایت را ببیند: @bita" in html
    assert [e.kind for e in reload(session, ticket).events] == ["registered", "referred"]


def test_an_inspector_takes_a_ticket_and_the_list_filters_mine_and_unassigned(client, session, login, post,
                                                                               person):
    mine, other = referred(session, "MUN-TEH"), referred(session, "MUN-TEH", caller="09120001111")
    login("reza")
    post(f"/console/tickets/{mine.code}/assign", {"assignee": "reza"}, page=f"/console/tickets/{mine.code}")
    html = page(client, mine.code)
    assert 'data-assignee="reza"' in html and "واگذاری شکایت ثبت شد" in html
    listed = client.get("/console/tickets?assignee=me").get_data(as_text=True)
    assert codes(listed) == [mine.code] and '<td data-label="در دست" data-assignee="reza">reza</td>' in listed
    assert codes(client.get("/console/tickets?assignee=none").get_data(as_text=True)) == [other.code]
    person("nima")  # IMVO's inspector, above MUN-TEH: not of its agency
    post(f"/console/tickets/{mine.code}/assign", {"assignee": "nima"}, page=f"/console/tickets/{mine.code}")
    assert "این کاربر نمی‌تواند این شکایت را بگیرد" in page(client, mine.code)
    person("sara")
    post(f"/console/tickets/{mine.code}/assign", {"assignee": "sara"}, page=f"/console/tickets/{mine.code}")
    assert 'data-assignee="sara"' in page(client, mine.code)  # a supervisor may take it


def codes(html: str) -> list[str]:
    return re.findall(r'<tr data-code="(\d+)"', html)


def test_asking_the_citizen_texts_them_through_the_provider(client, session, login, post, work, twilio_api):
    ticket = referred(session, "MUN-TEH")
    login("reza")
    post(f"/console/tickets/{ticket.code}/ask", {"question": "ساعت مراجعه چند بود؟"},
         page=f"/console/tickets/{ticket.code}")
    assert work()
    [text] = received(twilio_api, "+989121234567")
    assert "ساعت مراجعه چند بود؟" in text
    html = page(client, ticket.code)
    assert "پرسش از شهروند (پیامک)" in html and "پرسش از شهروند" in html


def test_a_landline_complaint_offers_no_question(client, session, login):
    ticket = referred(session, "MUN-TEH", via=Via.CALL, caller="02188776655", text=None, voice_path="v.wav")
    login("sara")
    assert 'value="ask"' not in page(client, ticket.code)


def test_a_low_score_proposes_reopening_and_a_supervisor_reopens(client, session, login, post, person):
    ticket = referred(session, "MUN-TEH")
    actions.resolve(session, ticket, "انجام شد", actor="official:1")
    lifecycle.move(ticket, TicketStatus.CLOSED)
    session.add(SurveyAnswer(ticket_id=ticket.id, score=2))
    session.commit()
    login("reza")
    assert "بازگشایی و آغاز مهلت تازه" not in page(client, ticket.code)  # supervisors reopen
    client.post("/console/logout", data={"csrf_token": csrf(client, "/console/tickets")})
    login("sara")
    listed = client.get("/console/tickets?disputed=1").get_data(as_text=True)
    assert codes(listed) == [ticket.code]
    html = page(client, ticket.code)
    assert "نمرهٔ ۲ از ۵ داد: بازگشایی شکایت پیشنهاد می‌شود" in html
    post(f"/console/tickets/{ticket.code}/reopen", {"reason": "شهروند می‌گوید کاری نشده"},
         page=f"/console/tickets/{ticket.code}")
    reopened = reload(session, ticket)
    assert (reopened.status, reopened.reopens, reopened.due_at is not None) == ("reopened", 1, True)
    html = page(client, ticket.code)
    assert "مهلت تازه‌ای برای پاسخ آغاز شد" in html and 'class="countdown big"' in html
    assert codes(client.get("/console/tickets?disputed=1").get_data(as_text=True)) == []


def test_the_timeline_names_people_and_shows_one_story_for_a_lost_result_text(client, session, login):
    sara = User(name="sara", full_name="سارا رضایی", role="supervisor")
    sara.set_password("correct horse battery")
    session.add(sara)
    ticket = referred(session, "MUN-TEH")
    actions.resolve(session, ticket, "انجام شد", actor="user:sara")
    textback.text_result(session, ticket, ticket.resolved_at)
    message = session.scalar(select(Message).where(Message.purpose == Purpose.RESULT))
    message.status = MessageStatus.FAILED
    textback.result_not_texted(session, message, "21610")
    record(ticket, Event.NOTE, actor="official:1", note="x")
    session.commit()
    client.post("/console/login", data={"name": "sara", "password": "correct horse battery",
                                        "csrf_token": csrf(client, "/console/login")})
    html = page(client, ticket.code)
    kinds = re.findall(r'<li data-kind="([a-z_]+)"', html)
    assert "result_waits" in kinds and "result_texted" not in kinds
    assert '<span class="muted actor">سارا رضایی</span>' in html and "user:sara" not in html
    official = session.get(Official, 1)
    assert f'<span class="muted actor">بازرس {official.name}</span>' in html
    session.commit()
