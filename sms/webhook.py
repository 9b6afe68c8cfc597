"""Twilio's webhooks: inbound texts taken in (the answer job replies by SMS), delivery
reports applied."""

from __future__ import annotations

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
    sid = form.get("MessageSid") or form.get("SmsSid")
    if not sid:
        abort(400)
    sender = form.get("From", "")
    taken = inbox.take_in(runtime_of(current_app).db(), provider=TwilioProvider.name, provider_id=sid,
                          number=identify(sender).e164 or sender or "unknown",
                          service_number=form.get("To"), body=form.get("Body", ""), media=_media(form))
    log.info("sms taken in" if taken else "sms delivered again, already taken in",
             extra={"message_sid": sid})
    return Response(EMPTY_TWIML, mimetype="text/xml")


@bp.post(STATUS_PATH)
@signed
def status() -> tuple[str, int]:
    """A delivery report on a text we sent; reports of unknown statuses are ignored."""
    sid, word = request.form.get("MessageSid", ""), request.form.get("MessageStatus", "")
    moved_to = DELIVERY_STATUSES.get(word)
    if not sid or moved_to is None:
        log.info("delivery report ignored", extra={"message_sid": sid, "status": word})
        return "", 204
    found = record_delivery(runtime_of(current_app).db(), sid, moved_to, request.form.get("ErrorCode") or None,
                            ref=request.args.get("ref"))
    if found is None:
        log.info("delivery report for an unknown message", extra={"message_sid": sid})
    return "", 204


def _media(form: MultiDict[str, str]) -> list[tuple[str, str]]:
    """(URL, content type) of each attachment Twilio announced."""
    return [(form[f"MediaUrl{n}"], form.get(f"MediaContentType{n}") or "application/octet-stream")
            for n in range(MAX_MEDIA) if form.get(f"MediaUrl{n}")]
