"""Accept and queue: the webhook only stores a text and the work to answer it; the answer job
answers it once, however often it runs, and even when Redis was down at the webhook."""

import threading
from datetime import timedelta

from rq import Queue
from sqlalchemy import func, select
from twilio.twiml.messaging_response import MessagingResponse

from foad.app import create_app
from foad.runtime import make_runtime
from models import tracking
from models.media import Media, MediaStatus
from models.messages import Direction, Message, MessageStatus, Purpose
from models.outbox import Job, OutboxItem
from models.tickets import Ticket
from sms.answering import answer_sms
from sms.webhook import EMPTY_TWIML
from tests.sms.webhooks import CITIZEN, SERVICE_NUMBER, Twilio
from tests.waiting import on_the_way
from worker.outbox import job_id, relay
from worker.queues import ROUTING

DEAD_REDIS = "redis://127.0.0.1:1/0"
PHOTOS = [("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", "image/jpeg"),
          ("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2", "image/png"),
          ("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME3", "video/mp4")]


def count(session, model, *where) -> int:
    session.rollback()
    found = session.scalar(select(func.count()).select_from(model).where(*where))
    session.commit()
    return found


def test_the_webhook_stores_the_text_and_the_work_and_nothing_else(twilio, phones, session, runtime):
    form = twilio.form("کارمند باجه نیامد 🙁  ", media=PHOTOS)
    twilio.deliver(form)
    message = phones.inbound(form["MessageSid"])
    assert (message.direction, message.status, message.body, message.number, message.service_number) == (
        Direction.IN, MessageStatus.RECEIVED, "کارمند باجه نیامد 🙁  ", CITIZEN, SERVICE_NUMBER)
    assert (message.reply, message.ticket_id, message.media) == (None, None, [list(m) for m in PHOTOS])
    [work] = session.scalars(select(OutboxItem)).all()
    assert (work.job, work.args, work.key) == (Job.ANSWER_SMS, [message.id], f"answer_sms:{message.id}")
    assert on_the_way(runtime.redis, ROUTING) == [job_id(work.id)]
    session.commit()
    assert (count(session, Ticket), count(session, Message), count(session, Media)) == (0, 1, 0)


def test_the_answer_files_the_text_and_its_media_and_queues_one_reply(twilio, phones, session):
    form = twilio.form("کارمند باجه نیامد", media=PHOTOS)
    twilio.deliver(form)
    reply = phones.answer(form["MessageSid"], 0)
    [ticket] = session.scalars(select(Ticket)).unique().all()
    assert tracking.for_reading(ticket.code) in reply and ticket.text == "کارمند باجه نیامد"
    media = session.scalars(select(Media).order_by(Media.id)).all()
    assert [(m.url, m.content_type, m.ticket_id, m.status) for m in media] == [
        (url, kind, ticket.id, MediaStatus.PENDING) for url, kind in PHOTOS]
    [text] = phones.replies(CITIZEN)
    assert (text.purpose, text.ticket_id, text.status) == (Purpose.REPLY, ticket.id, MessageStatus.QUEUED)
    assert phones.received(CITIZEN) == [reply]


def test_twilio_gets_the_empty_response_twilios_own_library_makes():
    assert str(MessagingResponse()) == EMPTY_TWIML


def test_the_answer_job_run_again_answers_nothing_more(twilio, phones, session):
    form = twilio.form("کارمند باجه نیامد")
    twilio.deliver(form)
    reply = phones.answer(form["MessageSid"], 0)
    answer_sms(phones.inbound(form["MessageSid"]).id)  # a retry, or work the relay pushed again
    assert phones.answer(form["MessageSid"], 0) == reply
    assert (count(session, Ticket), len(phones.replies(CITIZEN))) == (1, 1)


def test_two_answer_jobs_at_once_answer_once(twilio, phones, session):
    form = twilio.form("کارمند باجه نیامد")
    twilio.deliver(form)
    message_id = phones.inbound(form["MessageSid"]).id
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        answer_sms(message_id)

    both = [threading.Thread(target=run) for _ in range(2)]
    for t in both:
        t.start()
    for t in both:
        t.join()
    assert (count(session, Ticket), len(phones.replies(CITIZEN))) == (1, 1)
    assert "کد پیگیری" in phones.answer(form["MessageSid"], 0)
    assert len(phones.received(CITIZEN)) == 1


def test_with_redis_down_a_text_is_taken_in_and_answered_when_the_relay_queues_it(
        settings, session, phones, runtime, caplog):
    offline = make_runtime(settings, DEAD_REDIS)
    twilio = Twilio(create_app(offline).test_client(), settings.twilio.account_sid,
                    settings.twilio.auth_token)
    form = twilio.form("کارمند باجه نیامد")
    twilio.deliver(form)  # 200 and the empty TwiML: Twilio does not retry, nothing is lost
    offline.close()
    assert any("relay will queue it later" in r.getMessage() for r in caplog.records)
    assert phones.inbound(form["MessageSid"]).reply is None
    assert Queue(ROUTING, connection=runtime.redis).job_ids == []
    assert relay(session, runtime.redis, grace=timedelta(0)) == 1
    session.commit()
    assert "کد پیگیری" in phones.answer(form["MessageSid"], 0)
    assert len(phones.received(CITIZEN)) == 1
