"""Downloading MMS attachments with the account's credentials: photos and videos only, up
to a size, and only from the provider's own API host (the credentials go nowhere else)."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

import requests

from models.media import CHUNK, GONE, Kept, MediaGone, MediaRejected, MediaRetry
from models.settings import TwilioSettings
from models.uploads import TooLarge, write_capped

KEPT_TYPES = ("image/", "video/")


def is_kept_type(content_type: str) -> bool:
    """True for photos and videos."""
    return content_type.split(";")[0].strip().lower().startswith(KEPT_TYPES)


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
    served = response.headers.get("Content-Type", "")
    if not is_kept_type(served):
        raise MediaRejected(f"served as {served or 'no type'}, not a photo or video")
    if int(response.headers.get("Content-Length") or 0) > max_bytes:
        raise MediaRejected(f"larger than {max_bytes} bytes")
    extension = mimetypes.guess_extension(served.split(";")[0].strip()) or ""
    relative = f"{name}{extension}"
    try:
        size = write_capped(response.iter_content(CHUNK), media_dir / relative, max_bytes)
    except TooLarge as exc:
        raise MediaRejected(str(exc)) from None
    return Kept(relative, size)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()
