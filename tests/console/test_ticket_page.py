"""The ticket page: facts, timeline, SMS thread, survey, attachments."""

from __future__ import annotations

from models import actions, routing
from models.events import Event
from models.media import Media, MediaStatus
from models.messages import Direction, Message, MessageStatus, Purpose
from models.sending import fail
from models.surveys import SurveyAnswer
from models.tickets import record
from tests.builders import agency
from tests.console.conftest import referred


def test_the_sms_thread_in_order_with_persian_statuses(client, session, login):
    ticket = referred(session, "MUN-TEH")
    session.add_all([
        Message(direction=Direction.IN, ticket=ticket, number="+989121234567", body="شکایت دارم",
                status=MessageStatus.RECEIVED),
        Message(direction=Direction.OUT, ticket=ticket, number="+989121234567", body="کد شما ۱۲۳",
                status=MessageStatus.DELIVERED, purpose=Purpose.TRACKING_CODE),
    ])
    session.commit()
    login("reza")
    html = client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    assert html.index("شکایت دارم") < html.index("کد شما ۱۲۳")
    assert 'class="msg in"' in html and 'class="msg out"' in html
    assert "رسید · کد رهگیری" in html
    assert '<span class="who">از شهروند</span>' in html and '<span class="who">به شهروند</span>' in html


def test_texts_to_the_official_are_told_apart_from_the_citizens(client, session, login):
    ticket = referred(session, "MUN-TEH")
    routing.reassign(session, ticket, agency(session, "TAX-TEH"), "user:sara")
    login("sara")
    html = client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    assert '<span class="who">به بازرس</span>' in html and '<span class="who">به شهروند' not in html


def test_timeline_result_and_survey(client, session, login):
    ticket = referred(session, "MUN-TEH")
    actions.resolve(session, ticket, "پرونده انجام شد", actor="user:sara")
    session.add(SurveyAnswer(ticket_id=ticket.id, score=4))
    session.commit()
    login("sara")
    html = client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    assert "ثبت شده" in html and "ارجاع شده به دستگاه" in html and "پاسخ داده شده" in html
    assert '<span class="muted actor">sara</span>' in html and "شهروند" in html  # by name (none given: the login)
    assert "پرونده انجام شد" in html and "۴ از ۵" in html
    assert 'name="result"' not in html  # a resolved ticket has no actions left


def test_videos_get_a_player_and_photos_an_image(client, session, login):
    ticket = referred(session, "MUN-TEH")
    video = Media(ticket=ticket, url="u1", content_type="video/mp4", status=MediaStatus.STORED, path="v.mp4")
    photo = Media(ticket=ticket, url="u2", content_type="image/jpeg", status=MediaStatus.STORED, path="p.jpg")
    refused = Media(ticket=ticket, url="u3", content_type="application/pdf", status=MediaStatus.REJECTED)
    session.add_all([video, photo, refused])
    session.commit()
    login("sara")
    html = client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    assert f'<video controls preload="none" src="/console/replay/media/{video.id}"' in html
    assert f'<img src="/console/replay/media/{photo.id}"' in html
    assert f"/console/replay/media/{refused.id}" not in html


def test_an_unknown_ticket_is_a_404_page(client, login):
    login("sara")
    response = client.get("/console/tickets/1234567890")
    assert response.status_code == 404 and "پیدا نشد" in response.get_data(as_text=True)


def test_worker_events_have_persian_names(client, session, login):
    ticket = referred(session, "MUN-TEH")
    record(ticket, Event.BREACH, note=None)
    record(ticket, Event.RESULT_WAITS)
    session.commit()
    login("sara")
    html = client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    assert "گذشتن از مهلت" in html and "نتیجه در انتظار تماس شهروند" in html


def test_the_timeline_says_where_the_ticket_went_and_hides_the_workers_english(client, session, login):
    ticket = referred(session, "MUN-TEH", caller="02188776655")
    record(ticket, Event.BREACH, agency="MUN-TEH")
    routing.reassign(session, ticket, agency(session, "TAX-TEH"), "user:sara")
    record(ticket, Event.CALL_ENDED, duration_s=125)
    record(ticket, Event.RESULT_WAITS, note="no mobile number: the result waits for the citizen's follow-up call")
    record(ticket, Event.SURVEY_ANSWERED, actor="citizen", score=4)
    session.commit()
    login("sara")
    html = client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    assert "از ادارهٔ کل امور شهری استانداری تهران به ادارهٔ کل امور مالیاتی استان تهران" in html
    assert '<b>گذشتن از مهلت</b> <span class="detail">ادارهٔ کل امور شهری استانداری تهران</span>' in html
    assert '<b>پایان تماس</b> <span class="detail">۲:۰۵</span>' in html
    assert '<b>پاسخ نظرسنجی</b> <span class="detail">۴ از ۵</span>' in html
    assert "no mobile number" not in html and "نتیجه در انتظار تماس شهروند" in html


def test_reassigning_starts_from_no_agency_chosen(client, session, login):
    ticket = referred(session, "MUN-TEH")
    login("sara")
    html = client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    assert '<select name="agency" required><option value="">دستگاه تازه را برگزینید</option>' in html


def test_an_english_speakers_ticket_asks_for_an_english_result(client, session, login):
    abroad = referred(session, "MUN-TEH", caller="+447700900123", language="en", text="The desk ignored me")
    at_home = referred(session, "MUN-TEH", caller="09121110000")
    login("sara")
    english = client.get(f"/console/tickets/{abroad.code}").get_data(as_text=True)
    persian = client.get(f"/console/tickets/{at_home.code}").get_data(as_text=True)
    assert "<dt>زبان</dt><dd>انگلیسی</dd>" in english and "نتیجه را به انگلیسی بنویسید" in english
    assert "<dt>زبان</dt>" not in persian and "به انگلیسی" not in persian


def test_the_deadline_says_how_often_the_ticket_climbed(client, session, login):
    ticket = referred(session, "MUN-TEH")
    ticket.escalation_level = 2
    session.commit()
    login("sara")
    assert "۲ بار به مقام بالاتر رفته" in client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)


def test_numbers_in_timeline_notes_are_masked_for_inspectors(app, session, login):
    ticket = referred(session, "MUN-TEH", caller="09121234567")
    text = Message(direction=Direction.OUT, ticket=ticket, number="+989121234567", body="نتیجه",
                   status=MessageStatus.PENDING, purpose=Purpose.RESULT)
    session.add(text)
    session.commit()
    # The provider's error, as the send job records it on the timeline.
    fail(session, text, "21211", f"The 'To' number +989121234567 is not a valid phone number (ticket {ticket.code})")
    record(ticket, Event.SMS_UNDELIVERED, note="operator: ۰۹۱۲۱۲۳۴۵۶۷ unreachable")
    session.commit()
    for name, shown in (("reza", False), ("sara", True)):
        browser = app.test_client()
        login(name, on=browser)
        html = browser.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
        assert ("+989121234567 is not a valid" in html) is shown, name
        assert ("+98912*****67 is not a valid" in html) is not shown, name
        assert ("۰۹۱۲۱۲۳۴۵۶۷ unreachable" in html) is shown and ("0912*****67 unreachable" in html) is not shown
        assert f"(ticket {ticket.code})" in html  # a tracking code is no phone number
