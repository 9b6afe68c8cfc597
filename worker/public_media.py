"""Fetching the photo or video an app named by media_url: from the public internet only (no
private, loopback or link-local address, checked on the address actually connected to, at
each redirect), with timeouts, and judged by its bytes and size while it streams in."""

from __future__ import annotations

from pathlib import Path

import requests
from requests_hardened import Config, HTTPSession
from requests_hardened.ip_filter import InvalidIPAddress

from models.media import CHUNK, Kept, MediaRejected, MediaRetry
from models.uploads import keep_fetched

TIMEOUT = (5.0, 20.0)
"""Seconds to connect, and to wait for each read."""
MAX_REDIRECTS = 3


def fetch(url: str, media_dir: Path, name: str, max_bytes: int, *, allow_loopback: bool = False) -> Kept:
    """Fetch `url` into `media_dir/name.<ext>`; raises MediaRejected, MediaGone or MediaRetry."""
    config = Config(ip_filter_enable=True, ip_filter_allow_loopback_ips=allow_loopback, never_redirect=False,
                    default_timeout=TIMEOUT, user_agent_override="foad-media")
    with HTTPSession(config) as session:
        session.max_redirects = MAX_REDIRECTS
        try:
            with session.get(url, stream=True) as response:
                return keep_fetched(response.status_code, response.headers, response.iter_content(CHUNK),
                                    media_dir, name, max_bytes, source="the server")
        except InvalidIPAddress as exc:
            raise MediaRejected(f"{url} is on a private or local address") from exc
        except requests.TooManyRedirects as exc:
            raise MediaRejected(f"more than {MAX_REDIRECTS} redirects") from exc
        except requests.RequestException as exc:
            raise MediaRetry(f"fetch failed: {type(exc).__name__}") from exc
