"""The engine's configuration: one frozen dataclass, filled once by each entry point.

`foad.settings.read_settings` fills it from the environment (README.md, "Configuration");
everything below the composition root is handed the object and never reads the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path


@dataclass(frozen=True)
class TwilioSettings:
    """Twilio's own settings, under Twilio's own variable names."""

    account_sid: str = ""
    auth_token: str = ""
    from_number: str = ""
    messaging_service_sid: str = ""
    api_base_url: str = "https://api.twilio.com"
    timeout: float = 10.0
    """Seconds to wait for Twilio's REST API before the send is retried."""

    @property
    def can_send(self) -> bool:
        """True when the credentials and a sender are configured."""
        sender = self.from_number or self.messaging_service_sid
        return bool(self.account_sid and self.auth_token and sender)


@dataclass(frozen=True)
class Settings:
    """Everything the engine is told by its environment; see README.md, "Configuration"."""

    data_dir: Path
    database_url: str
    redis_url: str | None
    """None means: start (or join) the private Redis server kept in the data directory."""
    service_number: str = "128"
    overseas_number: str = "+989372840000"
    response_deadline: timedelta = timedelta(hours=3)
    max_complaints_per_hour: int = 5
    """New complaints one number may open in an hour; past it a polite "please wait"."""
    public_base_url: str = ""
    secret_key: str = field(default="", repr=False)
    log_level: str = "INFO"
    log_format: str = "text"
    twilio: TwilioSettings = field(default_factory=TwilioSettings)
    # --- SMS intake ------------------------------------------------------------------------
    sms_check_signatures: bool = True
    """False only for local development: the SMS webhooks then take requests from anyone."""
    media_max_bytes: int = 10_000_000
    """Bytes; the largest MMS photo or video kept (larger ones are rejected)."""
    trusted_proxies: int = 0
    """Proxy hops in front of the app whose X-Forwarded-* headers are believed (0: none)."""

    # --- voice ---------------------------------------------------------------------------
    fastagi_allow: tuple[IPv4Network | IPv6Network, ...] = ()
    """The Asterisk servers FastAGI talks to (addresses or networks); empty: anyone who can
    reach its port. Others are closed at once."""
    fastagi_timeout: float = 300.0
    """Seconds FastAGI waits for Asterisk to say anything before it takes the caller as gone
    (longer than the longest prompt or recording)."""
    fastagi_stop_grace: float = 60.0
    """Seconds FastAGI lets calls in progress finish after SIGTERM before it cuts them off."""

    # --- workers: the deadline clock, surveys, a controllable clock ----------------------
    business_hours: tuple[time, time] | None = None
    """Count the deadline only between these Tehran times, Saturday to Wednesday, holidays
    excepted (`foad holidays`); None: the clock runs round the clock."""
    survey_timeout: timedelta = timedelta(days=3)
    """A resolved ticket whose survey nobody answered closes after this."""
    fixed_now: datetime | None = None
    """For tests and drills only: jobs act as if it were always this moment."""
    triage_wait: timedelta = timedelta(minutes=10)
    """How long routing waits for a texter's answer to where the complaint goes (its service,
    its province) before it refers the ticket with what it has."""

    # --- the console -----------------------------------------------------------------------
    console_session: timedelta = timedelta(minutes=60)
    """How long a console log-in lasts without a request before it must log in again."""
    console_session_max: timedelta = timedelta(hours=12)
    """How long a console log-in lasts at most, however busy (a shift, then log in again)."""
    console_refresh: timedelta = timedelta(seconds=20)
    """How often an open ticket list fetches its rows again."""
    report_min_complaints: int = 10
    """Complaints an agency needs in a period to be ranked on the report cards."""
    report_max_age: timedelta = timedelta(minutes=10)
    """How old the report cards' rollup of this month and the last may get before a card page
    asks a worker to roll them up again (older months: a day, see models.reports.rollup)."""

    @property
    def recordings_dir(self) -> Path:
        """Where Asterisk's MixMonitor and RECORD FILE write (shared with Asterisk)."""
        return self.data_dir / "recordings"

    @property
    def media_dir(self) -> Path:
        """Where photos and videos sent by MMS are kept."""
        return self.data_dir / "media"

    @property
    def sounds_dir(self) -> Path:
        """Where `foad prompts build` renders the IVR prompts, one folder per language."""
        return self.data_dir / "sounds"
