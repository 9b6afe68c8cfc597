"""Each action on the ticket page calls the domain's function, as the logged-in user."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from models import actions
from models.agencies import Official
from models.blocklist import is_blocked
from models.messages import Message, Purpose
from models.outbox import Job, OutboxItem
from models.tracking import for_reading
from tests.console.conftest import CONSOLE_BASE_URL, PASSWORD, received, referred, reload, survey_time

CITIZEN = "+989121234567"
TAX_TEH_OFFICIAL = "+989970000026"
"""The head of inspection of TAX-TEH in the sample directory."""


@pytest.fixture
def ticket(session):
    return referred(session, "MUN-TEH", caller="09121234567")


def act(post, ticket, action: str, data: dict[str, str] | None = None):
    page = f"/console/tickets/{ticket.code}"
    response = post(f"{page}/{action}", data, page=page)
    assert response.status_code == 302 and response.headers["Location"] == page
    return response


def test_acknowledge_records_who_and_keeps_the_clock(client, session, login, post, ticket):
    login("reza")
    due = ticket.due_at
    act(post, ticket, "acknowledge")
    assert "رسیدگی به شکایت اعلام شد" in client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    reload(session, ticket)
    assert ticket.status == "acknowledged" and ticket.acknowledged_at is not None
    assert ticket.due_at == due
    assert ticket.events[-1].actor == "user:reza"


def test_resolve_texts_the_citizen_the_result_then_the_survey(
        client, session, runtime, login, post, ticket, work, twilio_api):
    login("reza")
    act(post, ticket, "resolve", {"result": "کارمند تذکر گرفت و پرونده انجام شد"})
    reload(session, ticket)
    assert ticket.status == "resolved" and ticket.result_text == "کارمند تذکر گرفت و پرونده انجام شد"
    queued = session.scalars(select(OutboxItem).where(OutboxItem.ticket_id == ticket.id)).all()
    session.commit()
    assert Job.TEXT_BACK.value in {w.job for w in queued}

    assert work()  # the real jobs: text-back writes the result, the send job sends it
    [result] = received(twilio_api, CITIZEN)
    assert for_reading(ticket.code) in result and "کارمند تذکر گرفت و پرونده انجام شد" in result
    assert [f"survey-{ticket.id}"] == survey_time(runtime)
    assert work()
    result_again, survey = received(twilio_api, CITIZEN)
    assert result_again == result and "۱" in survey and "۵" in survey
    html = client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    assert "نتیجه برای شهروند پیامک شد" in html
    assert "در صف اپراتور · نتیجه" in html and "در صف اپراتور · نظرسنجی" in html


def test_resolve_without_a_text_is_refused_and_changes_nothing(client, session, login, post, ticket):
    login("reza")
    act(post, ticket, "resolve", {"result": "   "})
    reload(session, ticket)
    assert ticket.status == "referred"
    assert "متن نتیجه خالی است" in client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)


def test_a_ticket_cannot_duplicate_itself(client, session, login, post, ticket):
    login("reza")
    act(post, ticket, "duplicate", {"original": ticket.code})
    assert "تکراریِ خودش" in client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    assert reload(session, ticket).status == "referred"


def test_mark_duplicate_links_the_original(session, login, post, ticket):
    original = referred(session, "MUN-TEH", caller="09121110000")
    login("reza")
    act(post, ticket, "duplicate", {"original": original.code})
    reload(session, ticket)
    assert ticket.status == "duplicate" and ticket.duplicate_of_id == original.id


def test_duplicate_of_an_unknown_or_invisible_ticket_is_refused_alike(client, session, login, post, ticket):
    bank = referred(session, "BMI-TEH", caller="09121110000")
    login("reza")
    for original in (bank.code, "1234567890"):
        act(post, ticket, "duplicate", {"original": original})
        html = client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
        assert "شکایتی با این کد رهگیری پیدا نشد" in html
    reload(session, ticket)
    assert ticket.status == "referred"


def test_mark_nuisance_closes_and_blocks_the_number(session, login, post, ticket):
    login("sara")
    act(post, ticket, "nuisance")
    reload(session, ticket)
    assert ticket.status == "nuisance" and is_blocked(session, "+989121234567")


def test_an_action_the_lifecycle_forbids_is_explained(client, session, login, post, ticket):
    login("sara")
    act(post, ticket, "nuisance")
    act(post, ticket, "acknowledge")
    reload(session, ticket)
    assert ticket.status == "nuisance"
    html = client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    assert "در وضعیت کنونی شکایت ممکن نیست" in html


def test_an_unknown_action_or_ticket_is_404(client, login, post, ticket):
    login("sara")
    page = f"/console/tickets/{ticket.code}"
    assert post(f"{page}/delete", page=page).status_code == 404
    assert post("/console/tickets/1234567890/acknowledge", page=page).status_code == 404


def test_actions_need_the_csrf_token(client, session, login, ticket):
    login("sara")
    assert client.post(f"/console/tickets/{ticket.code}/acknowledge").status_code == 400
    reload(session, ticket)
    assert ticket.status == "referred"


def test_a_supervisor_reassigns_the_clock_runs_on_and_the_new_official_is_texted(
        client, session, login, post, ticket, work, twilio_api):
    login("sara")
    due = ticket.due_at
    act(post, ticket, "reassign", {"agency": "TAX-TEH"})
    assert "شکایت به دستگاه دیگری ارجاع شد" in client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    reload(session, ticket)
    assert (ticket.agency.code, ticket.official.mobile, ticket.status) == ("TAX-TEH", TAX_TEH_OFFICIAL, "referred")
    assert ticket.due_at == due
    moved = ticket.events[-1]
    assert (moved.actor, moved.data["previous_agency"], moved.data["agency"]) == ("user:sara", "MUN-TEH", "TAX-TEH")
    [row] = session.scalars(select(Message).where(Message.ticket_id == ticket.id,
                                                   Message.purpose == Purpose.REFERRAL)).all()
    session.commit()
    assert row.number == TAX_TEH_OFFICIAL
    assert work()
    [sent] = [m for m in twilio_api.messages if m.to == TAX_TEH_OFFICIAL]
    assert for_reading(ticket.code) in sent.body
    assert sent.body.endswith(f"{CONSOLE_BASE_URL}/console/tickets/{ticket.code}")


def test_an_inspector_cannot_reassign(session, login, post, ticket, work, twilio_api):
    login("nima")  # IMVO: above MUN-TEH, so the ticket is theirs to see
    page = f"/console/tickets/{ticket.code}"
    assert post(f"{page}/reassign", {"agency": "TAX-TEH"}, page=page).status_code == 403
    work()
    reload(session, ticket)
    assert ticket.agency.code == "MUN-TEH" and len(ticket.events) == 2
    assert twilio_api.messages == []


@pytest.mark.parametrize("agency", ["NO-SUCH", ""])
def test_reassigning_to_an_unknown_agency_is_a_clear_form_error(client, session, login, post, ticket, agency):
    login("sara")
    act(post, ticket, "reassign", {"agency": agency})
    html = client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    assert 'class="flash error"' in html and "در فهرست دستگاه‌ها نیست" in html
    reload(session, ticket)
    assert ticket.agency.code == "MUN-TEH" and ticket.status == "referred"


def test_reassigning_to_the_agency_that_has_it_says_so(client, session, login, post, ticket):
    login("sara")
    act(post, ticket, "reassign", {"agency": "MUN-TEH"})
    html = client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    assert "شکایت هم‌اکنون نزد همین دستگاه است" in html
    assert len(reload(session, ticket).events) == 2


def test_reassigning_a_closed_ticket_is_refused_politely(client, session, login, post, ticket, work, twilio_api):
    actions.resolve(session, ticket, "پرونده انجام شد", actor="user:sara")
    actions.close(session, ticket)
    login("sara")
    act(post, ticket, "reassign", {"agency": "TAX-TEH"})
    html = client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    assert "این کار در وضعیت کنونی شکایت ممکن نیست" in html and "Traceback" not in html
    reload(session, ticket)
    assert (ticket.status, ticket.agency.code, ticket.official_id) == ("closed", "MUN-TEH", None)
    referrals = session.scalars(select(Message).where(Message.purpose == Purpose.REFERRAL)).all()
    session.commit()
    assert referrals == []


def test_reassigning_where_nobody_is_active_asks_for_the_directory_to_be_fixed(client, session, login, post, ticket):
    session.execute(update(Official).values(active=False))
    session.commit()
    login("sara")
    act(post, ticket, "reassign", {"agency": "TAX-TEH"})
    assert "بازرس فعالی ندارند" in client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    assert reload(session, ticket).agency.code == "MUN-TEH"


def test_a_form_sent_after_the_session_ended_asks_to_log_in_and_comes_back(app, session, person):
    ticket = referred(session, "MUN-TEH")
    page = f"/console/tickets/{ticket.code}"
    ended = app.test_client()  # the tab whose session cookie has gone
    response = ended.post(f"{page}/resolve", data={"result": "نوشته‌ای که نباید گم شود"},
                          headers={"Referer": f"http://localhost{page}"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/console/login?next=%2Fconsole%2Ftickets%2F{ticket.code}"
    form = ended.get(response.headers["Location"]).get_data(as_text=True)
    assert "آنچه نوشته بودید نگه داشته شده است" in form
    assert reload(session, ticket).status == "referred"  # nothing was done
    person("reza")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    back = ended.post(response.headers["Location"], data={"name": "reza", "password": PASSWORD,
                                                          "csrf_token": token})
    assert back.headers["Location"] == page
    html = ended.get(page).get_data(as_text=True)
    assert f'data-draft="result-{ticket.code}"' in html and f'data-drafts="result-{ticket.code}"' in html


def test_a_logged_out_form_from_elsewhere_goes_to_log_in_and_then_home(app, session):
    ticket = referred(session, "MUN-TEH")
    response = app.test_client().post(f"/console/tickets/{ticket.code}/acknowledge",
                                      headers={"Referer": "https://evil.example/console/x"})
    assert response.headers["Location"] == "/console/login?next=%2Fconsole%2F"
    assert reload(session, ticket).status == "referred"
