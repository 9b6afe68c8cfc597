"""The media job: one attachment downloaded into the media directory, or refused: an MMS's
from the SMS provider with its credentials, an app's media_url from the public internet."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from models.media import Media, MediaGone, MediaRejected, MediaRetry, MediaStatus
from sms.media import Kept, download
from worker import attempts, context, public_media
from worker.locking import locked

log = logging.getLogger(__name__)


def fetch_media(media_id: int) -> None:
    """Keep a photo or video up to the size limit; reject anything else with a logged reason.

    Failures that may pass are raised so RQ retries; the last one marks the row failed.
    The row stays locked through the download: a second run waits, then finds it done.
    """
    runtime = context.current()
    settings = runtime.settings
    with runtime.session() as session:
        item = locked(session, Media, media_id)
        if item is None or item.status != MediaStatus.PENDING:
            return
        extra = {"ticket": item.ticket.code, "media": item.id}
        try:
            kept = _download(item, settings)
        except MediaRejected as exc:
            _finish(session, item, MediaStatus.REJECTED, reason=str(exc))
            log.warning("media rejected", extra={**extra, "reason": str(exc)})
            return
        except (MediaGone, MediaRetry) as exc:
            if isinstance(exc, MediaRetry) and not attempts.is_last():
                log.warning("media download failed, will retry", extra={**extra, "reason": str(exc)})
                raise
            _finish(session, item, MediaStatus.FAILED, reason=str(exc))
            log.error("media not downloaded", extra={**extra, "reason": str(exc)})
            return
        _finish(session, item, MediaStatus.STORED, path=kept.path, size=kept.size,
                content_type=getattr(kept, "content_type", item.content_type))
        log.info("media stored", extra={**extra, "size": kept.size})


def _download(item: Media, settings) -> Kept | public_media.Fetched:
    """An MMS's attachment (it came with a message) or an app's media_url (it did not)."""
    name = f"{item.ticket.code}/{item.id}"
    if item.message_id is not None:
        return download(item.url, item.content_type, settings.media_dir, name, settings.twilio,
                        settings.media_max_bytes)
    return public_media.fetch(item.url, settings.media_dir, name, settings.media_max_bytes,
                              allow_loopback=settings.media_allow_loopback)


def _finish(session: Session, item: Media, status: MediaStatus, **fields: object) -> None:
    item.status = status
    for name, value in fields.items():
        setattr(item, name, value)
    session.commit()
