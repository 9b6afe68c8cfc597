"""The page's photos and videos: checked by their bytes and size while they are written into
the media directory, where they wait for the number to be confirmed."""

from __future__ import annotations

import secrets
import shutil
from itertools import chain
from pathlib import Path

from werkzeug.datastructures import FileStorage

from models.media import CHUNK
from models.media_types import EXTENSIONS, SNIFF_BYTES
from models.uploads import (
    HELD, MAX_PHOTOS, MAX_VIDEOS, NotMedia, Stored, TooLarge, is_video, kind_of, write_capped,
)



class Refused(ValueError):
    """A file the page does not take: `key` names the reason in citizen.texts."""

    def __init__(self, key: str, name: str = "") -> None:
        super().__init__(key)
        self.key, self.name = key, name


def hold(files: list[FileStorage], media_dir: Path, max_bytes: int) -> list[Stored]:
    """Write each file (nothing is kept if any is refused); Refused says why not."""
    chosen = [f for f in files if f.filename]
    if not chosen:
        return []
    folder = f"{HELD}/{secrets.token_hex(16)}"
    try:
        stored = [_write(f, media_dir, f"{folder}/{n}", max_bytes) for n, f in enumerate(chosen, 1)]
        _check_count(stored)
    except Refused:
        shutil.rmtree(media_dir / folder, ignore_errors=True)
        raise
    return stored


def _write(upload: FileStorage, media_dir: Path, stem: str, max_bytes: int) -> Stored:
    head = upload.stream.read(SNIFF_BYTES)
    try:
        kind = kind_of(head)
    except NotMedia:
        raise Refused("err_file_kind", upload.filename or "") from None
    relative = stem + EXTENSIONS[kind]
    rest = iter(lambda: upload.stream.read(CHUNK), b"")
    try:
        size = write_capped(chain([head], rest), media_dir / relative, max_bytes)
    except TooLarge:
        raise Refused("err_file_size", upload.filename or "") from None
    return Stored(relative, kind, size)


def _check_count(stored: list[Stored]) -> None:
    videos = sum(is_video(item.content_type) for item in stored)
    if videos > MAX_VIDEOS or (videos and len(stored) > videos) or len(stored) - videos > MAX_PHOTOS:
        raise Refused("err_file_count")


def discard(media_dir: Path, held: list[Stored]) -> None:
    """Remove files held for a form that went no further."""
    for folder in {Path(item.path).parent for item in held}:
        shutil.rmtree(media_dir / folder, ignore_errors=True)
