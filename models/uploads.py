"""Which photos and videos a complaint may carry, judged by their bytes, never by a name or
a declared type; and attachments that arrive already stored (the web page's uploads)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from sqlalchemy.orm import Session

from models.media import GONE, Kept, Media, MediaGone, MediaRejected, MediaRetry, MediaStatus
from models.media_types import EXTENSIONS, SNIFF_BYTES, sniff
from models.tickets import Ticket

FILE_MODE = 0o640
"""Attachments are personal data: the engine's user and its group read them, nobody else."""
HELD = "web"
"""The media directory's folder where the web page's uploads wait, each form's in a folder
of its own, until a ticket takes them (or the upload sweep removes them)."""
MAX_PHOTOS = 3
MAX_VIDEOS = 1
"""A complaint from the web page carries up to three photos, or one short video."""


class NotMedia(ValueError):
    """The bytes are not a photo or video we keep; the message says what they look like."""


class TooLarge(ValueError):
    """The file is larger than the size limit."""


@dataclass(frozen=True)
class Stored:
    """A file already in the media directory, checked, waiting for its ticket."""

    path: str
    """Relative to the media directory."""
    content_type: str
    size: int


def kind_of(head: bytes) -> str:
    """The content type of a file from its first bytes (models.media_types); NotMedia for
    anything that is not a photo or video we keep."""
    kind = sniff(head)
    if kind is None:
        raise NotMedia("its content is not a photo or video we keep")
    return kind


def head_of(chunks: Iterator[bytes]) -> bytes:
    """A file's first SNIFF_BYTES (or all of a shorter one), read from `chunks` of any size."""
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= SNIFF_BYTES:
            break
    return head


def write_capped(chunks: Iterable[bytes], target: Path, max_bytes: int) -> int:
    """Write `chunks` into `target` through a temporary file renamed at the end, so a file
    either is whole or is not there; TooLarge (and nothing kept) past `max_bytes`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    size = 0
    try:
        with open(partial, "wb", opener=lambda p, flags: os.open(p, flags, FILE_MODE)) as out:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"larger than {max_bytes} bytes")
                out.write(chunk)
        os.chmod(partial, FILE_MODE)  # open's mode was cut down by the umask; the group reads too
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return size


def keep_fetched(status: int, headers: Mapping[str, str], chunks: Iterator[bytes], media_dir: Path,
                 name: str, max_bytes: int, *, source: str) -> Kept:
    """Keep a file fetched over HTTP (its answer's `status`, `headers` and body `chunks`) as
    `media_dir/name.<ext>` if its content is a photo or video we keep and it fits `max_bytes`.
    Raises MediaGone (`source`, "the provider" or "the server", will not give it), MediaRetry
    (it may give it later) or MediaRejected."""
    length, served = headers.get("Content-Length"), headers.get("Content-Type", "")
    if status in GONE:
        raise MediaGone(f"{source} answered {status}")
    if status != 200:
        raise MediaRetry(f"{source} answered {status}")
    if int(length or 0) > max_bytes:
        raise MediaRejected(f"larger than {max_bytes} bytes")
    head = head_of(chunks)
    try:
        verified = kind_of(head)
    except NotMedia:
        raise MediaRejected(f"its content is not a photo or video (served as {served or 'no type'})") from None
    relative = f"{name}{EXTENSIONS[verified]}"
    try:
        size = write_capped(chain([head], chunks), media_dir / relative, max_bytes)
    except TooLarge as exc:
        raise MediaRejected(str(exc)) from None
    return Kept(relative, size, verified)


def is_video(content_type: str) -> bool:
    """True for the video types."""
    return content_type.startswith("video/")


def attach_stored(session: Session, ticket: Ticket, items: Iterable[Stored]) -> list[Media]:
    """Record files already stored and checked as the ticket's media, in the caller's
    transaction (nothing is left to fetch)."""
    attached = [Media(ticket=ticket, url=f"upload:{item.path}", content_type=item.content_type,
                      verified_type=item.content_type, status=MediaStatus.STORED, path=item.path,
                      size=item.size) for item in items]
    session.add_all(attached)
    return attached
