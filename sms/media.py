"""Downloading MMS attachments with the account's credentials: photos and videos only (by
their content), up to a size, and only from the provider's own API host (the credentials go
nowhere else)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import requests

from models.media import CHUNK, Kept, MediaRejected, MediaRetry
from models.settings import TwilioSettings
from models.uploads import keep_fetched

DECLARED_TYPES = ("image/", "video/")
"""Declared types worth downloading at all; what is kept is decided by the content."""


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
            return keep_fetched(response.status_code, response.headers, response.iter_content(CHUNK),
                                media_dir, name, max_bytes, source="the provider")
    except requests.RequestException as exc:
        raise MediaRetry(f"download failed: {type(exc).__name__}") from exc


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()
