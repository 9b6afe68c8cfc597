"""Twilio's webhooks: inbound texts taken in (the answer job replies by SMS), delivery
reports applied."""

from __future__ import annotations

import hashlib
import logging

from flask import Blueprint, Flask, Response, abort, current_app, request
from werkzeug.datastructures import MultiDict

from models import inbox
from models.messages import MessageStatus
from models.phones import identify
from models.runtime import runtime_of
from models.sending import record_delivery
from sms.providers.twilio import INBOUND_PATH, STATUS_PATH, TwilioProvider
from sms.signatures import signed

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__)

MAX_MEDIA = 10
"""Twilio sends at most ten attachments with one message."""
SID_CHARS = 64
"""What the inbox keeps of a message id (Twilio's are 34 characters)."""
ERROR_CODE_CHARS = 20
"""What a message row keeps of a delivery report's error code (Twilio's are 5 digits)."""
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
"""What twilio's MessagingResponse() renders with no message in it: Twilio sends nothing."""

DELIVERY_STATUSES: dict[str, MessageStatus] = {
    # Twilio's steps before the carrier have no row status of their own: all are "queued".
    "accepted": MessageStatus.QUEUED, "scheduled": MessageStatus.QUEUED,
    "queued": MessageStatus.QUEUED, "sending": MessageStatus.QUEUED,
    "sent": MessageStatus.SENT, "delivered": MessageStatus.DELIVERED, "read": MessageStatus.DELIVERED,
    "undelivered": MessageStatus.UNDELIVERED, "failed": MessageStatus.FAILED,
    "canceled": MessageStatus.FAILED,
}
"""Twilio's MessageStatus values and the row status each moves a message to."""


def init_app(app: Flask) -> None:
    """Serve the webhooks; warn at start when they would be unsafe or refuse everything."""
    settings = runtime_of(app).settings
    app.register_blueprint(bp)
    if not settings.sms_check_signatures:
        log.warning("Twilio signature checking is OFF (FOAD_SMS_CHECK_SIGNATURES=false): "
                    "anyone can post to the SMS webhooks; use this for local development only")
    elif not settings.twilio.auth_token:
        log.error("TWILIO_AUTH_TOKEN is not set: every SMS webhook request will be refused (403)")


@bp.post(INBOUND_PATH)
@signed
def inbound() -> Response:
    """An inbound SMS or MMS: stored with the work to answer it, and an empty <Response/> at
    once (Twilio waits 15 s at most); the answer follows as a text from the answer job."""
    form = request.form
    sid = _sid(_field(form, "MessageSid") or _field(form, "SmsSid"))
    if not sid:
        abort(400)
    sender = _field(form, "From")
    taken = inbox.take_in(runtime_of(current_app).db(), provider=TwilioProvider.name, provider_id=sid,
                          number=identify(sender).e164 or sender or "unknown",
                          service_number=_field(form, "To") or None, body=_field(form, "Body"),
                          media=_media(form))
    log.info("sms taken in" if taken else "sms delivered again, already taken in",
             extra={"message_sid": sid})
    return Response(EMPTY_TWIML, mimetype="text/xml")


@bp.post(STATUS_PATH)
@signed
def status() -> tuple[str, int]:
    """A delivery report on a text we sent; reports of unknown statuses are ignored."""
    form = request.form
    sid, word = _sid(_field(form, "MessageSid")), _field(form, "MessageStatus")
    moved_to = DELIVERY_STATUSES.get(word)
    if not sid or moved_to is None:
        log.info("delivery report ignored", extra={"message_sid": sid, "status": word[:40]})
        return "", 204
    found = record_delivery(runtime_of(current_app).db(), sid, moved_to,
                            _field(form, "ErrorCode")[:ERROR_CODE_CHARS] or None, ref=request.args.get("ref"))
    if found is None:
        log.info("delivery report for an unknown message", extra={"message_sid": sid})
    return "", 204


def _media(form: MultiDict[str, str]) -> list[tuple[str, str]]:
    """(URL, content type) of each attachment Twilio announced."""
    return [(_field(form, f"MediaUrl{n}"), _field(form, f"MediaContentType{n}")[:100] or "application/octet-stream")
            for n in range(MAX_MEDIA) if _field(form, f"MediaUrl{n}")]


def _field(form: MultiDict[str, str], name: str) -> str:
    """A posted field as the database can keep it: NUL characters (which PostgreSQL refuses
    in any text) dropped, the rest kept. The signature was checked on the field as posted."""
    return form.get(name, "").replace("\x00", "")


def _sid(raw: str) -> str:
    """A message id as the inbox keys it: longer than any of Twilio's, it is kept as a hash of
    itself (a copy of the message still meets the first), not refused with its text."""
    if len(raw) <= SID_CHARS:
        return raw
    return "#" + hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()[:SID_CHARS - 1]
