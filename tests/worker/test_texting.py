"""The send job against the Twilio-compatible local server, through the real twilio client."""

import http.server
import logging
import threading
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import select, update

from models import sending
from models.base import utcnow
from models.messages import Message, MessageStatus, OptOut, Purpose
from models.outbox import OutboxItem
from models.outgoing import queue_text
from models.settings import TwilioSettings
from models.tickets import TicketEvent
from sms.providers.twilio import TwilioProvider
from tests.builders import make_ticket
from tests.peers.fixtures import PUBLIC_BASE_URL, twilio_api  # noqa: F401  (a fixture)
from tests.retries import run_retries_now
from tests.waiting import forget
from worker.queues import NOTIFICATIONS
from worker.texting import GIVE_UP_AFTER, STUCK_AFTER, send_sms, sweep_sending

CITIZEN = "+989121234567"


@pytest.fixture
def settings(settings, twilio_api):  # noqa: F811  (the fixture above)
    """The test settings, sending through the local Twilio server."""
    return replace(settings, public_base_url=PUBLIC_BASE_URL, twilio=twilio_api.settings())


def queued(session, body="کد پیگیری شما: ۱۲۳", number=CITIZEN, with_ticket=True) -> Message:
    """An outbound text written and committed the way every service writes one."""
    ticket = make_ticket(session) if with_ticket else None
    message = queue_text(session, number=number, body=body, purpose=Purpose.RESULT, ticket=ticket)
    session.commit()
    return message


def reloaded(session, message: Message) -> Message:
    """The row as the database has it now; the read ends its transaction (SQLite's write
    lock is taken by any transaction here, and the worker needs it)."""
    session.rollback()
    session.expire_all()
    row = session.get(Message, message.id)
    session.commit()
    return row


def sending_work(session, message: Message) -> OutboxItem:
    return session.scalar(select(OutboxItem).where(OutboxItem.key == f"send_sms:{message.id}"))


def test_a_text_is_sent_once_with_sender_body_and_delivery_callback(session, work, twilio_api):
    message = queued(session)
    work((NOTIFICATIONS,))
    [sent] = twilio_api.messages
    assert (sent.to, sent.body, sent.from_) == (CITIZEN, "کد پیگیری شما: ۱۲۳", "+15005550006")
    assert sent.status_callback == f"{PUBLIC_BASE_URL}/sms/twilio/status?ref={message.id}"
    row = reloaded(session, message)
    assert (row.status, row.provider, row.provider_id) == (MessageStatus.QUEUED, "twilio", sent.sid)
    assert row.sent_at is not None
    assert sending_work(session, message).done_at is not None


def test_a_messaging_service_sends_instead_of_a_number(session, work, twilio_api, runtime, monkeypatch):
    service = replace(runtime.settings.twilio, from_number="", messaging_service_sid="MG" + "0" * 32)
    monkeypatch.setattr(runtime, "settings", replace(runtime.settings, twilio=service))
    queued(session)
    work((NOTIFICATIONS,))
    [sent] = twilio_api.messages
    assert sent.messaging_service_sid == "MG" + "0" * 32 and sent.from_ is None


def test_a_retried_job_never_texts_twice(session, work, twilio_api):
    message = queued(session)
    work((NOTIFICATIONS,))
    send_sms(message.id)  # RQ running it again, say after a lost acknowledgement
    send_sms(message.id)
    assert len(twilio_api.attempts) == 1 and len(twilio_api.messages) == 1


def test_two_jobs_at_once_text_once(session, twilio_api, runtime):
    message = queued(session)
    forget(runtime.redis, NOTIFICATIONS)  # the two jobs below race instead
    start = threading.Barrier(2)

    def job() -> None:
        start.wait()
        send_sms(message.id)

    threads = [threading.Thread(target=job) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(twilio_api.attempts) == 1
    assert reloaded(session, message).status == MessageStatus.QUEUED


def test_429_500_and_a_timeout_are_retried_with_backoff_then_one_message(session, work, twilio_api, runtime):
    twilio_api.plan("429", "500", "timeout")
    message = queued(session)
    work((NOTIFICATIONS,))
    row = reloaded(session, message)
    assert (row.status, row.error_code) == (MessageStatus.PENDING, "20429")
    registry = Queue(NOTIFICATIONS, connection=runtime.redis).scheduled_job_registry
    assert registry.count == 1  # waiting out the backoff, not run again at once
    for _ in range(3):
        assert run_retries_now(runtime.redis) == 1
        work((NOTIFICATIONS,))
    assert [a["outcome"] for a in twilio_api.attempts] == ["429", "500", "timeout", "ok"]
    assert len(twilio_api.messages) == 1
    assert len(twilio_api.lookups) == 1  # after the timeout only: it asked before sending again
    row = reloaded(session, message)
    assert (row.status, row.provider_id, row.error_code) == (
        MessageStatus.QUEUED, twilio_api.messages[0].sid, None)


def test_an_unsubscribed_number_fails_for_good_on_the_timeline(session, work, twilio_api, runtime):
    twilio_api.unsubscribed.add(CITIZEN)
    message = queued(session)
    work((NOTIFICATIONS,))
    row = reloaded(session, message)
    assert (row.status, row.error_code) == (MessageStatus.FAILED, "21610")
    assert Queue(NOTIFICATIONS, connection=runtime.redis).scheduled_job_registry.count == 0
    assert run_retries_now(runtime.redis) == 0 and len(twilio_api.attempts) == 1
    failed, waits = row.ticket.events[-2:]  # a result text: it now waits for the citizen's call
    assert (failed.kind, failed.data["code"], failed.data["message"]) == ("sms_failed", "21610", row.id)
    assert (waits.kind, waits.data["message"]) == ("result_waits", row.id)
    assert session.get(OptOut, CITIZEN) is not None  # nothing more is queued for it


def test_an_invalid_number_fails_without_retry(session, work, twilio_api, runtime):
    twilio_api.plan(21211)
    message = queued(session)
    work((NOTIFICATIONS,))
    row = reloaded(session, message)
    assert (row.status, row.error_code) == (MessageStatus.FAILED, "21211")
    assert "not a valid phone number" in row.error
    assert run_retries_now(runtime.redis) == 0 and len(twilio_api.attempts) == 1


def test_a_number_that_opted_out_after_queueing_is_not_texted(session, work, twilio_api):
    message = queued(session)
    session.add(OptOut(number=CITIZEN))
    session.commit()
    work((NOTIFICATIONS,))
    assert reloaded(session, message).status == MessageStatus.OPTED_OUT
    assert twilio_api.attempts == []


def test_without_a_provider_texts_stay_visibly_unsent(session, work, runtime, monkeypatch):
    monkeypatch.setattr(runtime, "settings", replace(runtime.settings, twilio=TwilioSettings()))
    message = queued(session)
    assert work((NOTIFICATIONS,))
    assert reloaded(session, message).status == MessageStatus.NO_PROVIDER
    assert sending_work(session, message).done_at is not None


def test_when_retries_run_out_the_text_is_marked_failed(session, work, twilio_api, runtime):
    twilio_api.plan(*["500"] * 6)
    message = queued(session, with_ticket=False)
    work((NOTIFICATIONS,))
    while run_retries_now(runtime.redis):
        work((NOTIFICATIONS,))
    assert len(twilio_api.attempts) == 6 and twilio_api.messages == []
    row = reloaded(session, message)
    assert row.status == MessageStatus.FAILED and row.error.startswith("gave up after retries")


def test_provider_logs_name_neither_the_number_nor_the_body(session, work, twilio_api, caplog):
    caplog.set_level(logging.DEBUG)
    queued(session, body="متن محرمانه")
    work((NOTIFICATIONS,))
    assert twilio_api.messages
    logged = "\n".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert "sms sent" in logged and "متن محرمانه" not in logged
    assert "9121234567" not in logged and "+98…67" in logged


# --- a send whose outcome is unknown: settled by asking the provider, never texted twice ---

def sending_job(session, message: Message) -> str:
    """The RQ job id of the row's send work (the read ends its transaction, see `reloaded`)."""
    found = f"outbox-{sending_work(session, message).id}"
    session.commit()
    return found


def test_a_timeout_after_twilio_took_the_text_is_settled_by_a_look_up_not_a_second_text(
        session, work, twilio_api, runtime):
    twilio_api.plan("hold")  # Twilio takes the text in; its answer comes after the client's timeout
    message = queued(session)
    work((NOTIFICATIONS,))
    row = reloaded(session, message)
    assert (row.status, row.claimed_by) == (MessageStatus.SENDING, sending_job(session, message))
    twilio_api.release()
    assert run_retries_now(runtime.redis) == 1
    work((NOTIFICATIONS,))
    assert len(twilio_api.attempts) == 1 and len(twilio_api.messages) == 1
    assert twilio_api.lookups[0]["To"] == CITIZEN
    row = reloaded(session, message)
    assert (row.status, row.provider_id) == (MessageStatus.QUEUED, twilio_api.messages[0].sid)
    assert run_retries_now(runtime.redis) == 0


def test_another_jobs_claim_is_left_alone(session, twilio_api):
    message = queued(session)
    assert sending.claim(session, message.id, by="outbox-elsewhere") is not None
    send_sms(message.id)  # not the job that claimed it: it may be sending right now
    assert twilio_api.attempts == [] and twilio_api.lookups == []
    assert reloaded(session, message).status == MessageStatus.SENDING


def stuck(session, message: Message, minutes: float) -> None:
    """Leave the row "sending" as a job that died `minutes` ago on its last try would."""
    assert sending.claim(session, message.id, by="outbox-dead") is not None
    session.execute(update(Message).where(Message.id == message.id).values(
        claimed_at=utcnow() - timedelta(minutes=minutes)))
    session.commit()


def test_the_sweep_adopts_a_stuck_text_twilio_took_and_sends_one_it_did_not(session, twilio_api, runtime):
    taken, lost = queued(session, body="پاسخ یک"), queued(session, body="پاسخ دو")
    stuck(session, taken, minutes=10)
    stuck(session, lost, minutes=10)
    sid = TwilioProvider(runtime.settings.twilio).send(CITIZEN, "پاسخ یک", str(taken.id))  # before it died
    fresh = queued(session, body="پاسخ سه")
    stuck(session, fresh, minutes=1)  # claimed a minute ago: maybe still being sent, left alone
    assert sweep_sending() == 2
    assert [m.body for m in twilio_api.messages] == ["پاسخ یک", "پاسخ دو"]
    assert reloaded(session, taken).provider_id == sid
    assert reloaded(session, lost).provider_id == twilio_api.messages[1].sid
    assert reloaded(session, fresh).status == MessageStatus.SENDING
    assert sweep_sending() == 0


def test_a_text_another_row_already_owns_at_twilio_is_not_adopted_twice(session, work, twilio_api):
    first = queued(session, body="یادآوری")
    work((NOTIFICATIONS,))
    second = queued(session, body="یادآوری")  # the same words to the same number, stuck
    stuck(session, second, minutes=STUCK_AFTER.total_seconds() / 60 + 1)
    assert sweep_sending() == 1
    assert len(twilio_api.messages) == 2
    assert {reloaded(session, first).provider_id, reloaded(session, second).provider_id} == {
        m.sid for m in twilio_api.messages}


def test_a_text_stuck_longer_than_a_day_and_unknown_to_twilio_fails_on_the_timeline(session, twilio_api):
    message = queued(session)
    stuck(session, message, minutes=10)
    session.execute(update(Message).where(Message.id == message.id).values(
        created_at=utcnow() - GIVE_UP_AFTER - timedelta(minutes=1)))
    session.commit()
    assert sweep_sending() == 1
    assert twilio_api.attempts == []  # asked, not sent
    row = reloaded(session, message)
    assert row.status == MessageStatus.FAILED and "not settled" in row.error
    kinds = session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == row.ticket_id)).all()
    session.commit()
    assert "sms_failed" in kinds


def test_twilio_unreachable_leaves_a_stuck_text_for_the_next_sweep(session, twilio_api, runtime, monkeypatch):
    message = queued(session)
    stuck(session, message, minutes=10)
    nowhere = replace(runtime.settings.twilio, api_base_url="http://127.0.0.1:1")
    monkeypatch.setattr(runtime, "settings", replace(runtime.settings, twilio=nowhere))
    assert sweep_sending() == 1
    row = reloaded(session, message)
    assert row.status == MessageStatus.SENDING and row.claimed_by.startswith("sweep")
    assert twilio_api.attempts == []


# --- the provider's look-up, against the Twilio-compatible server ---------------------------

def test_the_look_up_finds_the_oldest_match_across_pages_and_skips_known_ids(twilio_api, runtime):
    provider = TwilioProvider(runtime.settings.twilio)
    since = utcnow()
    sids = [provider.send(CITIZEN, "همان متن", str(n)) for n in range(3)]
    for n in range(120):  # more than a page of other texts to the same number
        provider.send(CITIZEN, f"متن {n}", str(n))
    provider.send("+989120000000", "متن دیگر", "x")
    assert provider.find_sent(CITIZEN, "همان متن", since) == sids[0]
    assert provider.find_sent(CITIZEN, "همان متن", since, exclude={sids[0]}) == sids[1]
    assert provider.find_sent(CITIZEN, "همان متن", since, exclude=set(sids)) is None
    assert provider.find_sent(CITIZEN, "همان متن", since + timedelta(minutes=5)) is None  # sent before
    assert provider.find_sent("+989120000000", "همان متن", since) is None
    assert all(q["DateSent>"].endswith("T00:00:00Z") for q in twilio_api.lookups)  # by GMT day


DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
"""The proxy's own requests go straight to the server, whatever the environment says."""


class RecordingProxy(http.server.ThreadingHTTPServer):
    """A plain HTTP forward proxy on loopback that passes each request on and notes its URL."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # a proxy is asked for the absolute URL
                proxy.seen.append(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                forwarded = urllib.request.Request(self.path, data=body, method="POST", headers={
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "proxy-connection")})
                try:
                    answer = DIRECT.open(forwarded, timeout=10)
                except urllib.error.HTTPError as refused:
                    answer = refused
                with answer:
                    payload = answer.read()
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.headers.get("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


def test_texts_go_through_the_http_proxy_the_environment_names(twilio_api, monkeypatch):
    proxy = RecordingProxy()
    try:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        sid = TwilioProvider(twilio_api.settings()).send(CITIZEN, "پاسخ", "1")
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert [m.sid for m in twilio_api.messages] == [sid]
    assert len(proxy.seen) == 1 and proxy.seen[0].endswith("/Messages.json")
