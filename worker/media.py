"""The media job: one MMS attachment downloaded into the media directory, or refused."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.orm import Session

from models.locking import locked
from models.media import Media, MediaStatus
from models.providers import Kept, MediaGone, MediaRejected, MediaRetry, SmsProvider
from models.runtime import current
from worker import attempts

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
            kept = _download(runtime.provider, item, settings.media_dir, settings.media_max_bytes)
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


def _finish(session: Session, item: Media, status: MediaStatus, **fields: object) -> None:
    item.status = status
    for name, value in fields.items():
        setattr(item, name, value)
    session.commit()


def _download(provider: SmsProvider | None, item: Media, media_dir: Path, max_bytes: int) -> Kept:
    """The attachment through the provider it came by (its credentials, its host only)."""
    if provider is None:
        raise MediaGone("no SMS provider is configured to fetch it from")
    return provider.download_media(item.url, item.content_type, media_dir,
                                   f"{item.ticket.code}/{item.id}", max_bytes)
