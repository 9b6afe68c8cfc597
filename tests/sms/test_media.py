"""MMS: each attachment is recorded and fetched from Twilio's API with the account's auth."""

import base64
import logging

from sqlalchemy import select

from models.media import Media, MediaStatus
from models.tickets import Ticket
from tests.sms.webhooks import another_mobile
from worker.queues import MEDIA

JPEG = b"\xff\xd8\xff\xe0" + b"photo" * 1000
PNG = b"\x89PNG\r\n\x1a\n" + b"screenshot" * 500
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"video" * 3000


def media_of(session) -> list[Media]:
    """Every attachment as stored now."""
    session.rollback()
    session.expire_all()
    return list(session.scalars(select(Media).order_by(Media.id)))


def the_ticket(session) -> Ticket:
    session.rollback()
    [ticket] = session.scalars(select(Ticket)).unique().all()
    return ticket


def fetch_all(session, work) -> None:
    """Run the media jobs; the test's read transaction ends first, since on SQLite it holds
    the write lock the worker needs."""
    session.rollback()
    work((MEDIA,))


def test_an_mms_with_three_attachments_is_kept_whole(twilio, twilio_api, session, work, settings):
    attachments = [(twilio_api.add_media("image/jpeg", JPEG), "image/jpeg"),
                   (twilio_api.add_media("image/png", PNG), "image/png"),
                   (twilio_api.add_media("video/mp4", MP4), "video/mp4")]
    assert "کد پیگیری" in twilio.text("عکس صف و فیلم برخورد کارمند", media=attachments)
    ticket = the_ticket(session)
    recorded = media_of(session)
    assert [(m.url, m.content_type, m.ticket_id) for m in recorded] == [
        (url, kind, ticket.id) for url, kind in attachments]
    fetch_all(session, work)
    stored = media_of(session)
    assert [m.status for m in stored] == [MediaStatus.STORED] * 3
    for item, data in zip(stored, (JPEG, PNG, MP4)):
        assert item.path.startswith(f"{ticket.code}/") and item.size == len(data)
        assert (settings.media_dir / item.path).read_bytes() == data
    assert [m.path.rsplit(".", 1)[1] for m in stored] == ["jpg", "png", "mp4"]
    credentials = base64.b64encode(f"{twilio_api.account_sid}:{twilio_api.auth_token}".encode()).decode()
    assert [r["authorization"] for r in twilio_api.media_requests] == [f"Basic {credentials}"] * 3


def test_a_picture_with_no_words_still_opens_a_complaint(twilio, twilio_api, session):
    url = twilio_api.add_media("image/jpeg", JPEG)
    assert "کد پیگیری" in twilio.text("", media=[(url, "image/jpeg")])
    ticket = the_ticket(session)
    assert ticket.text is None and len(media_of(session)) == 1


def test_attachments_sent_after_the_complaint_join_it(twilio, twilio_api, session, work):
    sender = another_mobile()
    twilio.text("کارمند بی‌ادبی کرد", sender=sender)
    url = twilio_api.add_media("image/jpeg", JPEG)
    assert "افزوده شد" in twilio.text("", sender=sender, media=[(url, "image/jpeg")])
    fetch_all(session, work)
    [item] = media_of(session)
    ticket = the_ticket(session)
    assert (item.ticket_id, item.status) == (ticket.id, MediaStatus.STORED)
    assert ticket.events[-1].data["media"] == 1


def test_other_types_are_rejected_with_a_logged_reason(twilio, twilio_api, session, work, caplog):
    url = twilio_api.add_media("application/pdf", b"%PDF-1.4")
    twilio.text("نامه", media=[(url, "application/pdf")])
    with caplog.at_level(logging.WARNING):
        fetch_all(session, work)
    [item] = media_of(session)
    assert (item.status, item.reason, item.path) == (
        MediaStatus.REJECTED, "application/pdf is not a photo or video", None)
    assert twilio_api.media_requests == []  # not even downloaded
    assert any(r.getMessage() == "media rejected" and r.reason == item.reason for r in caplog.records)


def test_a_file_served_as_another_type_than_announced_is_rejected(twilio, twilio_api, session, work):
    url = twilio_api.add_media("text/html", b"<html>")
    twilio.text("عکس", media=[(url, "image/jpeg")])
    fetch_all(session, work)
    [item] = media_of(session)
    assert item.status == MediaStatus.REJECTED and "text/html" in item.reason


def test_files_over_the_size_limit_are_rejected_and_not_kept(twilio, twilio_api, session, work,
                                                             runtime, monkeypatch):
    from dataclasses import replace

    monkeypatch.setattr(runtime, "settings", replace(runtime.settings, media_max_bytes=len(MP4) - 1))
    url = twilio_api.add_media("video/mp4", MP4)
    twilio.text("فیلم", media=[(url, "video/mp4")])
    fetch_all(session, work)
    [item] = media_of(session)
    assert item.status == MediaStatus.REJECTED and item.reason == f"larger than {len(MP4) - 1} bytes"
    assert not any(runtime.settings.media_dir.rglob("*"))  # no partial file left behind


def test_media_elsewhere_than_the_provider_get_no_credentials(twilio, twilio_api, session, work):
    twilio.text("عکس", media=[("https://example.org/a.jpg", "image/jpeg")])
    fetch_all(session, work)
    [item] = media_of(session)
    assert item.status == MediaStatus.REJECTED and "not on the SMS provider's API host" in item.reason


def test_media_the_provider_no_longer_has_fails_without_retry(twilio, twilio_api, session, work):
    url = twilio_api.add_media("image/jpeg", JPEG) + "-deleted"
    twilio.text("عکس", media=[(url, "image/jpeg")])
    fetch_all(session, work)
    [item] = media_of(session)
    assert (item.status, item.reason) == (MediaStatus.FAILED, "the provider answered 404")
