"""Fetching the photo or video an app named by media_url: from the public internet only (no
private, loopback or link-local address, checked on the address actually connected to, at
each redirect), with timeouts, and judged by its bytes and size while it streams in."""

from __future__ import annotations

from itertools import chain
from pathlib import Path

import requests
from requests_hardened import Config, HTTPSession
from requests_hardened.ip_filter import InvalidIPAddress

from models.media import CHUNK, GONE, Kept, MediaGone, MediaRejected, MediaRetry
from models.media_types import EXTENSIONS
from models.uploads import NotMedia, TooLarge, head_of, kind_of, write_capped

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
                return _keep(response, media_dir, name, max_bytes)
        except InvalidIPAddress as exc:
            raise MediaRejected(f"{url} is on a private or local address") from exc
        except requests.TooManyRedirects as exc:
            raise MediaRejected(f"more than {MAX_REDIRECTS} redirects") from exc
        except requests.RequestException as exc:
            raise MediaRetry(f"fetch failed: {type(exc).__name__}") from exc


def _keep(response: requests.Response, media_dir: Path, name: str, max_bytes: int) -> Kept:
    if response.status_code in GONE:
        raise MediaGone(f"the server answered {response.status_code}")
    if response.status_code != 200:
        raise MediaRetry(f"the server answered {response.status_code}")
    if int(response.headers.get("Content-Length") or 0) > max_bytes:
        raise MediaRejected(f"larger than {max_bytes} bytes")
    chunks = response.iter_content(CHUNK)
    head = head_of(chunks)
    try:
        kind = kind_of(head)
    except NotMedia as exc:
        raise MediaRejected(str(exc)) from None
    relative = name + EXTENSIONS[kind]
    try:
        size = write_capped(chain([head], chunks), media_dir / relative, max_bytes)
    except TooLarge as exc:
        raise MediaRejected(str(exc)) from None
    return Kept(relative, size, kind)
