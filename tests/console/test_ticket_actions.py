"""Each action on the ticket page calls the domain's function, as the logged-in user."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.blocklist import is_blocked
from models.outbox import Job, OutboxItem
from tests.console.conftest import referred, reload


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


def test_resolve_stores_the_result_and_queues_the_text_back(session, login, post, ticket):
    login("reza")
    act(post, ticket, "resolve", {"result": "کارمند تذکر گرفت و پرونده انجام شد"})
    reload(session, ticket)
    assert ticket.status == "resolved" and ticket.result_text == "کارمند تذکر گرفت و پرونده انجام شد"
    work = session.scalars(select(OutboxItem).where(OutboxItem.ticket_id == ticket.id)).all()
    assert Job.TEXT_BACK.value in {w.job for w in work}


def test_resolve_without_a_text_is_refused_and_changes_nothing(client, session, login, post, ticket):
    login("reza")
    act(post, ticket, "resolve", {"result": "   "})
    reload(session, ticket)
    assert ticket.status == "referred"
    assert "این کار انجام نشد" in client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)


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
