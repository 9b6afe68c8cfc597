"""The local Twilio-compatible server `foad serve --local-twilio` runs (as `make run` does)
when no Twilio account is configured: the engine's texts go to it, and `foad sms` signs with
its token and reads what the engine sent from its Messages list.

While it runs, its account, auth token and address are in `<data dir>/local-twilio.json`
(readable by its owner only, fresh at every start); the services `foad serve` starts get
them as TWILIO_* variables, so they talk to it exactly as to Twilio.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import asdict
from pathlib import Path
from typing import Iterator

from foad.devtools.twilio_api import TwilioApi
from models.settings import Settings, TwilioSettings

log = logging.getLogger(__name__)

FILE_NAME = "local-twilio.json"
"""In the data directory while the server runs."""
TIMEOUT_S = 10.0
"""Seconds the engine waits for the local server, as for Twilio (TWILIO_HTTP_TIMEOUT's default)."""


def configured(twilio: TwilioSettings) -> bool:
    """True when any TWILIO_* account setting is given: the engine then talks to that account."""
    return any((twilio.account_sid, twilio.auth_token, twilio.from_number, twilio.messaging_service_sid))


def environment(twilio: TwilioSettings) -> dict[str, str]:
    """The TWILIO_* variables that give a `foad` service these settings."""
    return {"TWILIO_ACCOUNT_SID": twilio.account_sid, "TWILIO_AUTH_TOKEN": twilio.auth_token,
            "TWILIO_FROM_NUMBER": twilio.from_number, "TWILIO_API_BASE_URL": twilio.api_base_url,
            "TWILIO_HTTP_TIMEOUT": str(twilio.timeout)}


@contextlib.contextmanager
def serving(settings: Settings) -> Iterator[dict[str, str]]:
    """Run the local server while this lasts; yields the TWILIO_* variables that send through
    it, or nothing (and starts nothing) when a Twilio account is configured."""
    if configured(settings.twilio):
        log.info("TWILIO_* is set: texts go to that account, no local Twilio-compatible server")
        yield {}
        return
    with TwilioApi() as api:
        twilio = api.settings(from_number=settings.service_number, timeout=TIMEOUT_S)
        path = settings.data_dir / FILE_NAME
        _write(path, twilio)
        log.info("local Twilio-compatible server: the engine's texts go to it; try "
                 "`foad sms --from 09121234567 \"…\"`", extra={"url": api.base_url})
        try:
            yield environment(twilio)
        finally:
            path.unlink(missing_ok=True)


def running(data_dir: Path) -> TwilioSettings | None:
    """The settings of the local server running for this data directory, if one is."""
    try:
        fields = json.loads((data_dir / FILE_NAME).read_text())
    except FileNotFoundError:
        return None
    return TwilioSettings(**fields)


def _write(path: Path, twilio: TwilioSettings) -> None:
    """The settings, readable by the owner only, replaced whole (a reader never sees half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    with open(partial, "x", opener=lambda p, flags: os.open(p, flags, 0o600)) as out:
        json.dump(asdict(twilio), out)
    partial.replace(path)
