"""One-time codes: texted through the outbox, kept as a keyed hash, expiring, three tries."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import phone_checks
from models.base import utcnow
from models.blocklist import block
from models.errors import Blocked
from models.messages import Message, Purpose
from models.outbox import OutboxItem
from models.persian import latin_digits
from models.phone_checks import CheckPurpose, Request

SECRET = "test-secret"


def ask(number: str = "09121234567", address: str | None = "203.0.113.7") -> Request:
    return Request(CheckPurpose.COMPLAINT, number, address, "fa", {"text": "x"})


def texted_code(session) -> str:
    body = session.scalars(select(Message.body).order_by(Message.id.desc())).first()
    return "".join(ch for ch in latin_digits(body) if ch.isdigit())[-6:]


def test_a_code_is_an_sms_with_its_send_work_and_a_keyed_hash(session):
    check = phone_checks.start(session, ask(), SECRET)
    message = session.scalars(select(Message)).one()
    assert message.purpose == Purpose.PHONE_CHECK and message.number == "+989121234567"
    assert session.scalars(select(OutboxItem.job)).all() == ["send_sms"]
    code = texted_code(session)
    assert code not in check.digest
    with pytest.raises(phone_checks.WrongCode):
        phone_checks.confirm(session, check.token, code, "another secret")  # the key is part of the hash
    assert phone_checks.confirm(session, check.token, code, SECRET).confirmed_at is not None


def test_a_code_typed_in_persian_digits_confirms(session):
    check = phone_checks.start(session, ask(), SECRET)
    typed = "".join("۰۱۲۳۴۵۶۷۸۹"[int(d)] for d in texted_code(session))
    assert phone_checks.confirm(session, check.token, typed, SECRET).confirmed_at is not None


def test_a_code_expires(session):
    check = phone_checks.start(session, ask(), SECRET)
    later = utcnow() + phone_checks.LIFETIME + timedelta(seconds=1)
    with pytest.raises(phone_checks.CheckEnded):
        phone_checks.confirm(session, check.token, texted_code(session), SECRET, now=later)


@pytest.mark.parametrize("number, error", [
    ("02188776655", phone_checks.NotAMobile), ("anonymous", phone_checks.NotAMobile), ("", phone_checks.NotAMobile),
])
def test_only_a_mobile_gets_a_code(session, number, error):
    with pytest.raises(error):
        phone_checks.start(session, ask(number), SECRET)


def test_a_blocked_number_gets_no_code(session):
    block(session, "+989121234567", reason="nuisance")
    session.commit()
    with pytest.raises(Blocked):
        phone_checks.start(session, ask(), SECRET)


def test_the_hourly_limits_count_from_the_rows(session):
    for n in range(phone_checks.MAX_PER_NUMBER):
        phone_checks.start(session, ask(address=f"198.51.100.{n}"), SECRET)
    with pytest.raises(phone_checks.TooManyCodes):
        phone_checks.start(session, ask(address="198.51.100.200"), SECRET)
    an_hour_later = utcnow() + phone_checks.WINDOW + timedelta(seconds=1)
    assert phone_checks.start(session, ask(address="198.51.100.200"), SECRET, now=an_hour_later)
