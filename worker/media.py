"""The media job: one attachment downloaded into the media directory, or refused: an MMS's
from the SMS provider with its credentials, an app's media_url from the public internet."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from models.locking import locked
from models.media import Kept, Media, MediaGone, MediaRejected, MediaRetry, MediaStatus
from models.providers import SmsRoutes
from models.runtime import current
from models.settings import Settings
from worker import attempts, public_media

log = logging.getLogger(__name__)


def fetch_media(media_id: int) -> None:
    """Keep a photo or video (by its content) up to the size limit; reject anything else with a
    logged reason.

    Failures that may pass are raised so RQ retries; the last one marks the row failed.
    The row stays locked through the download: a second run waits, then finds it done.
    """
    runtime = current()
    settings = runtime.settings
    with runtime.session() as session:
        item = locked(session, Media, media_id)
        if item is None or item.status != MediaStatus.PENDING:
            return
        extra = {"ticket": item.ticket.code, "media": item.id}
        try:
            kept = _download(runtime.sms, item, settings)
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
                verified_type=kept.content_type)
        log.info("media stored", extra={**extra, "size": kept.size, "type": kept.content_type})


def _download(routes: SmsRoutes | None, item: Media, settings: Settings) -> Kept:
    """An MMS's attachment (it came with a message) through the provider it came by, with
    its credentials and from its host only; an app's media_url (it did not) from the public
    internet."""
    name = f"{item.ticket.code}/{item.id}"
    if item.message_id is None:
        return public_media.fetch(item.url, settings.media_dir, name, settings.media_max_bytes,
                                  allow_loopback=settings.media_allow_loopback)
    came_by = item.message.provider or "twilio"
    provider = routes.named(came_by) if routes else None
    if provider is None:
        raise MediaGone(f"the SMS provider it came by ({came_by}) is not configured to fetch it from")
    return provider.download_media(item.url, item.content_type, settings.media_dir, name,
                                   settings.media_max_bytes)


def _finish(session: Session, item: Media, status: MediaStatus, **fields: object) -> None:
    item.status = status
    for name, value in fields.items():
        setattr(item, name, value)
    session.commit()

