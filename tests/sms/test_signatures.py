"""Only Twilio's signed requests get in: forged, missing and stale signatures get 403."""

import logging
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from foad.app import create_app
from foad.settings import Settings, SettingsError
from models.messages import Direction, Message
from models.outbox import OutboxItem
from models.tickets import Ticket
from tests.sms.webhooks import INBOUND, STATUS, Twilio, reply_of


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
    assert Settings.from_env(env).sms_check_signatures is check


def test_a_setting_that_is_neither_true_nor_false_stops_the_start(tmp_path):
    with pytest.raises(SettingsError, match="FOAD_SMS_CHECK_SIGNATURES"):
        Settings.from_env({"FOAD_DATA_DIR": str(tmp_path), "FOAD_SMS_CHECK_SIGNATURES": "maybe"})


def test_without_an_auth_token_everything_is_refused_and_said_at_start(runtime, settings, monkeypatch,
                                                                       caplog):
    monkeypatch.setattr(runtime, "settings", replace(settings, twilio=replace(settings.twilio, auth_token="")))
    with caplog.at_level(logging.ERROR):
        client = create_app(runtime).test_client()
    assert any("TWILIO_AUTH_TOKEN is not set" in r.getMessage() for r in caplog.records)
    unsigned = Twilio(client, settings.twilio.account_sid, "")
    assert unsigned.post(INBOUND, unsigned.form("سلام"), signature="").status_code == 403
