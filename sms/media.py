"""Downloading MMS attachments with the account's credentials: photos and videos only (by
their content), up to a size, and only from the provider's own API host (the credentials go
nowhere else)."""

from __future__ import annotations

import os
from itertools import chain
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import requests

from models.media_types import EXTENSIONS, SNIFF_BYTES, sniff
from models.providers import Kept, MediaGone, MediaRejected, MediaRetry
from models.settings import TwilioSettings

DECLARED_TYPES = ("image/", "video/")
"""Declared types worth downloading at all; what is kept is decided by the content."""
CHUNK = 64 * 1024
"""Bytes read at a time, so a large file never sits in memory whole."""
GONE = {401, 403, 404, 410}
"""Answers that will not change on a retry."""
FILE_MODE = 0o640
"""Attachments are personal data: the engine's user and its group read them, nobody else."""


def is_kept_type(content_type: str) -> bool:
    """True for a declared photo or video: worth fetching to look at its content."""
    return content_type.split(";")[0].strip().lower().startswith(DECLARED_TYPES)


def download(url: str, content_type: str, media_dir: Path, name: str, twilio: TwilioSettings,
             max_bytes: int) -> Kept:
    """Fetch `url` into `media_dir/name.<ext>`; raises MediaRejected, MediaGone or MediaRetry."""
    if _origin(url) != _origin(twilio.api_base_url):
        raise MediaRejected("not on the SMS provider's API host; not fetched with its credentials")
    if not is_kept_type(content_type):
        raise MediaRejected(f"{content_type} is not a photo or video")
    try:
        with requests.get(url, auth=(twilio.account_sid, twilio.auth_token), stream=True,
                          timeout=twilio.timeout) as response:
            return _keep(response, media_dir, name, max_bytes)
    except requests.RequestException as exc:
        raise MediaRetry(f"download failed: {type(exc).__name__}") from exc


def _keep(response: requests.Response, media_dir: Path, name: str, max_bytes: int) -> Kept:
    if response.status_code in GONE:
        raise MediaGone(f"the provider answered {response.status_code}")
    if response.status_code != 200:
        raise MediaRetry(f"the provider answered {response.status_code}")
    if int(response.headers.get("Content-Length") or 0) > max_bytes:
        raise MediaRejected(f"larger than {max_bytes} bytes")
    chunks = response.iter_content(CHUNK)
    head = _head(chunks)
    verified = sniff(head)
    if verified is None:
        served = response.headers.get("Content-Type") or "no type"
        raise MediaRejected(f"its content is not a photo or video (served as {served})")
    relative = f"{name}{EXTENSIONS[verified]}"
    size = _write(head, chunks, media_dir / relative, max_bytes)
    return Kept(relative, size, verified)


def _head(chunks: Iterator[bytes]) -> bytes:
    """The file's first SNIFF_BYTES (or all of a shorter one): chunks may come in any size."""
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= SNIFF_BYTES:
            break
    return head


def _write(head: bytes, rest: Iterator[bytes], target: Path, max_bytes: int) -> int:
    """Stream into a temporary file and rename it, so a file either is whole or is not."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    size = 0
    try:
        with open(partial, "wb", opener=lambda p, flags: os.open(p, flags, FILE_MODE)) as out:
            for chunk in chain([head], rest):
                size += len(chunk)
                if size > max_bytes:
                    raise MediaRejected(f"larger than {max_bytes} bytes")
                out.write(chunk)
        os.chmod(partial, FILE_MODE)  # open's mode was cut down by the umask; the group reads too
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return size


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()
