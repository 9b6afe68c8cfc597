"""Following on the page: the code gives the public status; the complainant, with the code and
a code texted to the number that filed it, sees the result and answers the survey there."""

from sqlalchemy import select

from models import actions
from models.intake import Complaint, open_ticket
from models.messages import Message, Purpose
from models.surveys import SurveyAnswer
from models.tickets import Ticket, TicketStatus, Via
from tests.citizen.conftest import E164, MOBILE, code_in, token_of


def resolved(session, caller: str = MOBILE, via: Via = Via.WEB, result: str = "کارمند تذکر گرفت.") -> str:
    """A referred, then resolved, ticket of `caller`; its code."""
    ticket = open_ticket(session, Complaint(via=via, caller=caller, text="صف طولانی")).ticket
    ticket.status = TicketStatus.REFERRED
    session.commit()
    actions.resolve(session, ticket, result, actor="user:sara")
    session.commit()
    code = ticket.code
    # Forget the ticket: the app changes it in its own sessions, and a query here would not
    # refresh a copy still held (until the cyclic garbage collector happens to drop it).
    session.close()
    return code


def claim(client, code: str, mobile: str):
    page = client.get(f"/follow/{code}")
    return client.post(f"/follow/{code}/mine", data={"mobile": mobile, "csrf_token": token_of(page)})


def test_the_code_alone_gives_the_public_status_and_not_the_result(client, session):
    code = resolved(session)
    assert client.get(f"/follow?code={code[:3]}-{code[3:6]}-{code[6:]}").location.endswith(f"/follow/{code}")
    page = client.get(f"/follow/{code}").get_data(as_text=True)
    assert "پاسخ داده شده" in page and "کارمند تذکر گرفت" not in page and "شکایت را خودتان ثبت کرده‌اید" in page


def test_a_wrong_or_unknown_code_is_said_so(client):
    bad = client.get("/follow?code=1234567891")
    assert bad.status_code in (400, 404)
    assert "درست نیست" in bad.get_data(as_text=True) or "پیدا نشد" in bad.get_data(as_text=True)


def test_the_complainant_confirms_the_number_sees_the_result_and_rates_it(client, session, texts):
    code = resolved(session)
    asked = claim(client, code, "+98 912 123 4567")
    assert asked.status_code == 302
    otp = code_in([body for body in texts() if "کد تأیید" in body][-1])
    location = asked.location
    done = client.post(location, data={"code": otp, "csrf_token": token_of(client.get(location))})
    page = client.get(done.location).get_data(as_text=True)
    assert "کارمند تذکر گرفت." in page and 'name="score"' in page
    rated = client.post(f"/follow/{code}/survey", data={"score": "4", "csrf_token": token_of(client.get(done.location))})
    assert rated.status_code == 302
    session.rollback()
    ticket = session.scalars(select(Ticket).where(Ticket.code == code)).one()
    assert ticket.status == TicketStatus.CLOSED
    assert session.scalars(select(SurveyAnswer.score).where(SurveyAnswer.ticket_id == ticket.id)).one() == 4
    session.rollback()
    after = client.get(rated.location).get_data(as_text=True)
    assert "نظر شما (۴ از ۵) ثبت شد" in after and 'name="score"' not in after


def test_another_number_gets_the_same_page_but_no_code(client, session, texts):
    code = resolved(session)
    asked = claim(client, code, "09350001122")
    assert asked.status_code == 302 and "/confirm/" in asked.location
    assert texts("+989350001122") == []
    location = asked.location
    for _ in range(3):
        client.post(location, data={"code": "123456", "csrf_token": token_of(client.get(location))})
    assert "کارمند تذکر گرفت" not in client.get(f"/follow/{code}").get_data(as_text=True)


def test_a_survey_answer_without_a_confirmed_number_is_refused(client, session):
    code = resolved(session)
    page = client.get(f"/follow/{code}")
    refused = client.post(f"/follow/{code}/survey", data={"score": "5", "csrf_token": token_of(page)})
    assert refused.status_code == 400
    session.rollback()
    assert session.scalars(select(SurveyAnswer)).all() == []


def test_the_result_of_a_web_or_app_ticket_is_texted_to_its_mobile(session, work, texts):
    for via in (Via.WEB, Via.APP):
        resolved(session, via=via)
    texts()
    work()
    bodies = texts()
    assert sum("پاسخ شکایت" in body for body in bodies) == 2
    session.rollback()
    purposes = session.scalars(select(Message.purpose).where(Message.number == E164)).all()
    assert purposes.count(Purpose.RESULT) == 2
