"""The media job: one MMS attachment downloaded into the media directory, or refused."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from models.media import Media, MediaStatus
from sms.media import MediaGone, MediaRejected, MediaRetry, download
from worker import attempts, context
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
            kept = download(item.url, item.content_type, settings.media_dir,
                            f"{item.ticket.code}/{item.id}", settings.twilio, settings.media_max_bytes)
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
        _finish(session, item, MediaStatus.STORED, path=kept.path, size=kept.size)
        log.info("media stored", extra={**extra, "size": kept.size})


def _finish(session: Session, item: Media, status: MediaStatus, **fields: object) -> None:
    item.status = status
    for name, value in fields.items():
        setattr(item, name, value)
    session.commit()
