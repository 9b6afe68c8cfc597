"""Only Twilio's signed requests get in: forged, missing and stale signatures get 403 (what
"stale" means: sms/signatures.py); replays are copies; the proxy case."""

import logging
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from foad.app import create_app
from foad.devtools.twilio_api import new_sid
from foad.settings import SettingsError, read_settings
from models.messages import Direction, Message, MessageStatus, Purpose
from models.outbox import OutboxItem
from models.outgoing import queue_text
from models.tickets import Ticket, TicketEvent
from tests.builders import make_ticket
from tests.peers.fixtures import PUBLIC_BASE_URL
from tests.sms.test_status import row
from tests.sms.webhooks import CITIZEN, INBOUND, STATUS, Twilio, reply_of
from worker.queues import NOTIFICATIONS


def stored(session) -> tuple[int, int]:
    """Inbound messages and tickets; the outbox too must be empty when nothing was taken in."""
    session.rollback()
    found = (session.scalar(select(func.count()).where(Message.direction == Direction.IN)),
             session.scalar(select(func.count()).select_from(Ticket)))
    if found == (0, 0):
        assert session.scalar(select(func.count()).select_from(OutboxItem)) == 0
    session.commit()
    return found


def test_a_signed_text_is_taken_in(twilio, session):
    assert "کد پیگیری" in twilio.text("کارمند باجه ۳ ساعت نیامد")
    assert stored(session) == (1, 1)


def test_a_missing_signature_is_refused_and_nothing_stored(twilio, session):
    response = twilio.post(INBOUND, twilio.form("سلام"), signature=None)
    assert response.status_code == 403 and stored(session) == (0, 0)


def test_a_forged_signature_is_refused(twilio, session, settings):
    forger = Twilio(twilio.client, settings.twilio.account_sid, "not-the-auth-token")
    form = twilio.form("سلام")
    response = twilio.post(INBOUND, form, signature=forger.sign(INBOUND, form))
    assert response.status_code == 403 and stored(session) == (0, 0)


def test_a_signature_for_other_fields_is_refused(twilio, session):
    signed_form = twilio.form("سلام")
    tampered = {**signed_form, "Body": "متن دیگر"}
    response = twilio.post(INBOUND, tampered, signature=twilio.sign(INBOUND, signed_form))
    assert response.status_code == 403 and stored(session) == (0, 0)


def test_a_signature_over_the_url_with_its_default_port_is_taken(twilio, session, settings):
    # Twilio signs the URL as configured in its console, which may name the default port.
    with_port = Twilio(twilio.client, settings.twilio.account_sid, settings.twilio.auth_token,
                       base_url=PUBLIC_BASE_URL + ":443")
    form = twilio.form("سلام")
    response = twilio.post(INBOUND, form, signature=with_port.sign(INBOUND, form))
    assert response.status_code == 200 and stored(session)[0] == 1


def test_a_signature_for_another_url_is_refused(twilio, session):
    form = twilio.form("سلام")
    response = twilio.post(INBOUND, form, signature=twilio.sign(STATUS, form))
    assert response.status_code == 403 and stored(session) == (0, 0)


def test_behind_a_tls_proxy_the_public_https_url_is_what_counts(twilio, settings):
    # The test client asks for http://localhost/...; Twilio signed https://foad.example.ir/...
    form = twilio.form("سلام")
    as_requested = Twilio(twilio.client, settings.twilio.account_sid, settings.twilio.auth_token,
                          base_url="http://localhost")
    assert twilio.post(INBOUND, form).status_code == 200
    assert as_requested.post(INBOUND, twilio.form("سلام")).status_code == 403


def test_forwarded_headers_cannot_talk_the_check_into_another_url(twilio, settings):
    spoofer = Twilio(twilio.client, settings.twilio.account_sid, settings.twilio.auth_token,
                     base_url="https://evil.example")
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    assert spoofer.post(INBOUND, twilio.form("سلام"), headers=headers).status_code == 403


def test_without_a_public_url_the_request_url_is_checked(runtime, settings, monkeypatch):
    monkeypatch.setattr(runtime, "settings", replace(settings, public_base_url=""))
    client = create_app(runtime).test_client()
    direct = Twilio(client, settings.twilio.account_sid, settings.twilio.auth_token,
                    base_url="http://localhost")
    assert direct.post(INBOUND, direct.form("سلام")).status_code == 200


def test_a_signed_request_with_a_query_string_is_checked_with_it(twilio, session):
    response = twilio.report("SM" + "0" * 32, "delivered", ref=7)
    assert response.status_code == 204
    form = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered"}
    signed_without_query = twilio.sign(STATUS, form)
    assert twilio.post(STATUS + "?ref=7", form, signature=signed_without_query).status_code == 403


def test_delivery_reports_need_a_signature_too(twilio):
    form = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered"}
    assert twilio.post(STATUS, form, signature=None).status_code == 403
    assert twilio.post(STATUS, form, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403


def test_checking_can_be_turned_off_for_development_with_a_warning(runtime, settings, session,
                                                                   monkeypatch, caplog):
    monkeypatch.setattr(runtime, "settings", replace(settings, sms_check_signatures=False))
    with caplog.at_level(logging.WARNING):
        client = create_app(runtime).test_client()
    assert any("signature checking is OFF" in r.getMessage() for r in caplog.records)
    unsigned = Twilio(client, settings.twilio.account_sid, settings.twilio.auth_token)
    assert reply_of(unsigned.post(INBOUND, unsigned.form("سلام"), signature=None)) == ""
    assert stored(session) == (1, 0)  # taken in, to be answered by the answer job


@pytest.mark.parametrize("value,check", [("", True), ("true", True), ("1", True), ("false", False),
                                         ("0", False), ("Off", False)])
def test_the_setting_that_turns_checking_off(tmp_path, value, check):
    env = {"FOAD_DATA_DIR": str(tmp_path), "FOAD_SMS_CHECK_SIGNATURES": value}
    assert read_settings(env).sms_check_signatures is check


def test_a_setting_that_is_neither_true_nor_false_stops_the_start(tmp_path):
    with pytest.raises(SettingsError, match="FOAD_SMS_CHECK_SIGNATURES"):
        read_settings({"FOAD_DATA_DIR": str(tmp_path), "FOAD_SMS_CHECK_SIGNATURES": "maybe"})


def test_without_an_auth_token_everything_is_refused_and_said_at_start(runtime, settings, monkeypatch,
                                                                       caplog):
    monkeypatch.setattr(runtime, "settings", replace(settings, twilio=replace(settings.twilio, auth_token="")))
    with caplog.at_level(logging.ERROR):
        client = create_app(runtime).test_client()
    assert any("TWILIO_AUTH_TOKEN is not set" in r.getMessage() for r in caplog.records)
    unsigned = Twilio(client, settings.twilio.account_sid, "")
    assert unsigned.post(INBOUND, unsigned.form("سلام"), signature="").status_code == 403


def timeline_of(session, ticket_id: int) -> list[str]:
    """The kinds of the ticket's events; the read ends its transaction (SQLite's write lock)."""
    session.rollback()
    kinds = list(session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket_id)
                                 .order_by(TicketEvent.id)))
    session.commit()
    return kinds


# --- stale signatures: good once, for one request, with the token in use ----------------------

def test_a_signature_made_with_the_token_before_a_rotation_is_refused(runtime, settings, session,
                                                                        monkeypatch):
    rotated = replace(settings.twilio, auth_token="the-new-auth-token")
    monkeypatch.setattr(runtime, "settings", replace(settings, twilio=rotated))
    client = create_app(runtime).test_client()
    before = Twilio(client, settings.twilio.account_sid, settings.twilio.auth_token)
    after = Twilio(client, settings.twilio.account_sid, rotated.auth_token)
    assert before.post(INBOUND, before.form("سلام")).status_code == 403
    assert stored(session) == (0, 0)
    assert after.post(INBOUND, after.form("سلام")).status_code == 200
    assert stored(session) == (1, 0)


def test_a_signature_lifted_from_an_earlier_message_is_refused_on_another(twilio, session):
    earlier = twilio.form("سلام")
    signature = twilio.sign(INBOUND, earlier)
    assert twilio.post(INBOUND, earlier, signature=signature).status_code == 200
    sid = new_sid("SM")
    other = {**earlier, "MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid}
    assert twilio.post(INBOUND, other, signature=signature).status_code == 403
    assert stored(session) == (1, 0)


def test_a_word_for_word_replay_is_stored_once_and_answered_once(twilio, phones, session):
    form = twilio.form("کارمند باجه نیامد")
    signature = twilio.sign(INBOUND, form)
    after = phones.mark()
    for _ in range(3):  # the same request, header and all, before and after the answer
        assert reply_of(twilio.post(INBOUND, form, signature=signature)) == ""
        reply = phones.answer(form["MessageSid"], after)
    assert "کد پیگیری" in reply and phones.received(form["From"]) == [reply]
    assert stored(session) == (1, 1)


@pytest.mark.parametrize("signature", [None, "bm90IGEgc2lnbmF0dXJl"])
def test_an_unsigned_failure_report_for_a_sent_text_is_refused_and_changes_nothing(
        twilio, session, work, signature):
    sent = queue_text(session, number=CITIZEN, body="نتیجه", purpose=Purpose.RESULT, ticket=make_ticket(session))
    session.commit()
    work((NOTIFICATIONS,))
    before = row(session, sent.id)
    timeline = timeline_of(session, before.ticket_id)
    form = {"MessageSid": before.provider_id, "SmsSid": before.provider_id, "MessageStatus": "failed",
            "ErrorCode": "30008", "AccountSid": twilio.account_sid, "To": CITIZEN}
    assert twilio.post(STATUS, form, signature=signature).status_code == 403
    after = row(session, sent.id)
    assert (after.status, after.error_code, after.updated_at) == (MessageStatus.QUEUED, None, before.updated_at)
    assert timeline_of(session, before.ticket_id) == timeline
    assert twilio.report(before.provider_id, "failed", error_code="30008").status_code == 204  # signed: taken
    assert row(session, sent.id).status == MessageStatus.FAILED


# --- behind proxies -----------------------------------------------------------------------------

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "foad.example.ir", "X-Forwarded-For": "54.172.60.1"}
"""What a TLS proxy in front of the app adds when Twilio calls https://foad.example.ir."""


def app_behind(runtime, settings, monkeypatch, *, hops: int, public_base_url: str = ""):
    monkeypatch.setattr(runtime, "settings", replace(settings, public_base_url=public_base_url,
                                                     trusted_proxies=hops))
    return create_app(runtime).test_client()


def test_behind_one_trusted_proxy_the_forwarded_https_url_is_the_one_checked(runtime, settings, session,
                                                                            monkeypatch):
    twilio = Twilio(app_behind(runtime, settings, monkeypatch, hops=1), settings.twilio.account_sid,
                    settings.twilio.auth_token, base_url=PUBLIC_BASE_URL)
    assert twilio.post(INBOUND, twilio.form("سلام"), headers=FORWARDED).status_code == 200
    assert twilio.post(INBOUND, twilio.form("سلام")).status_code == 403  # http://localhost was not signed
    assert stored(session) == (1, 0)


def test_with_no_trusted_proxy_forwarded_headers_do_not_help(runtime, settings, session, monkeypatch):
    twilio = Twilio(app_behind(runtime, settings, monkeypatch, hops=0), settings.twilio.account_sid,
                    settings.twilio.auth_token, base_url=PUBLIC_BASE_URL)
    assert twilio.post(INBOUND, twilio.form("سلام"), headers=FORWARDED).status_code == 403
    assert stored(session) == (0, 0)


def test_a_client_cannot_add_a_hop_in_front_of_the_trusted_proxy(runtime, settings, session, monkeypatch):
    twilio = Twilio(app_behind(runtime, settings, monkeypatch, hops=1), settings.twilio.account_sid,
                    settings.twilio.auth_token, base_url="https://evil.example")
    # The proxy appends what it saw; only the last value, the proxy's own, is believed.
    headers = {"X-Forwarded-Proto": "https,http", "X-Forwarded-Host": "evil.example,localhost"}
    assert twilio.post(INBOUND, twilio.form("سلام"), headers=headers).status_code == 403
    assert stored(session) == (0, 0)


def test_the_public_base_url_still_wins_over_forwarded_headers(runtime, settings, session, monkeypatch):
    client = app_behind(runtime, settings, monkeypatch, hops=1, public_base_url=PUBLIC_BASE_URL)
    spoofer = Twilio(client, settings.twilio.account_sid, settings.twilio.auth_token, base_url="https://evil.example")
    evil = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    assert spoofer.post(INBOUND, spoofer.form("سلام"), headers=evil).status_code == 403
    twilio = Twilio(client, settings.twilio.account_sid, settings.twilio.auth_token)
    assert twilio.post(INBOUND, twilio.form("سلام"), headers=evil).status_code == 200


@pytest.mark.parametrize("value,hops", [("", 0), ("0", 0), ("1", 1), (" 2 ", 2)])
def test_the_setting_for_trusted_proxies(tmp_path, value, hops):
    assert read_settings({"FOAD_DATA_DIR": str(tmp_path), "FOAD_TRUSTED_PROXIES": value}).trusted_proxies == hops


@pytest.mark.parametrize("value", ["-1", "one", "1.5"])
def test_a_proxy_count_that_is_not_a_whole_number_stops_the_start(tmp_path, value):
    with pytest.raises(SettingsError, match="FOAD_TRUSTED_PROXIES"):
        read_settings({"FOAD_DATA_DIR": str(tmp_path), "FOAD_TRUSTED_PROXIES": value})
