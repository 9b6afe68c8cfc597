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
class SmppSettings:
    """The SMPP 3.4 link to the mobile operator's SMSC (`foad smpp`); see docs/smpp.md."""

    host: str = ""
    port: int = 2775
    system_id: str = ""
    password: str = field(default="", repr=False)
    system_type: str = ""
    source_addr: str = "128"
    """Our address on texts we send: the short code."""
    source_ton: int = 0
    """Type of number of source_addr (0 unknown, 1 international, 3 network specific, 5 alphanumeric)."""
    source_npi: int = 0
    """Numbering plan of source_addr (0 unknown, 1 E.164)."""
    tps: float = 50.0
    """Submits a second the SMSC allows this bind (its throttle); 0: no limit of our own."""
    window: int = 10
    """submit_sm (and query_sm) sent and not yet answered, at most."""
    long_messages: str = "udh"
    """How a long text's parts are tied together: "udh" (8-bit reference in the text) or "sar" (TLVs)."""
    gsm7: bool = True
    """The SMSC takes data_coding 0 as GSM-7: Latin-only texts go in it (160 a part), else UCS-2."""
    enquire_link: float = 30.0
    """Seconds of silence on the link before an enquire_link checks it is alive."""
    submit_timeout: float = 20.0
    """Seconds a send job waits for the link's answer before the outcome counts as unknown."""
    receipt_wait: timedelta = timedelta(minutes=60)
    """How long a text written to a link that dropped before the SMSC answered waits for a
    delivery receipt naming it, before it counts as never taken and is sent again."""

    @property
    def configured(self) -> bool:
        """True when an SMSC and an account on it are set."""
        return bool(self.host and self.system_id)


ROUTE_PROVIDERS = ("smpp", "twilio")
"""The providers a route may name."""


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
    smpp: SmppSettings = field(default_factory=SmppSettings)
    sms_routes: tuple[tuple[str, str], ...] = (("*", "twilio"),)
    """(prefix, provider) pairs, longest prefix first, "*" last: which provider texts a number."""
    # --- SMS intake ------------------------------------------------------------------------
    sms_check_signatures: bool = True
    """False only for local development: the SMS webhooks then take requests from anyone."""
    media_max_bytes: int = 10_000_000
    """Bytes; the largest MMS photo or video kept (larger ones are rejected)."""
    trusted_proxies: int = 0
    """Proxy hops in front of the app whose X-Forwarded-* headers are believed (0: none)."""

    # --- the web app ---------------------------------------------------------------------
    web_max_body_bytes: int = 4_000_000
    """Bytes; the largest request body the web app reads (the directory CSV is the largest
    there is); larger ones get 413 before a byte is read."""
    web_body_timeout: float = 10.0
    """Seconds a request body may go without a byte, and its time to arrive (plus what its
    size needs at 256 kbit/s); a slower one gets 408 and its thread back."""

    # --- voice ---------------------------------------------------------------------------
    fastagi_allow: tuple[IPv4Network | IPv6Network, ...] = ()
    """The Asterisk servers FastAGI talks to (addresses or networks); empty: anyone who can
    reach its port. Others are closed at once."""
    fastagi_timeout: float = 300.0
    """Seconds FastAGI waits for Asterisk to say anything before it takes the caller as gone
    (longer than the longest prompt or recording)."""
    fastagi_stop_grace: float = 60.0
    """Seconds FastAGI lets calls in progress finish after SIGTERM before it cuts them off."""
    fastagi_processes: int = 1
    """Processes `foad fastagi` serves calls in, on its one port (one per core uses them all)."""

    # --- metrics -------------------------------------------------------------------------
    metrics_port: int | None = None
    """The port `foad fastagi` and `foad worker` serve Prometheus' /metrics on (`foad serve`:
    FastAGI on it, the worker on the next); None: not served. The web app's is /metrics."""
    metrics_host: str = "127.0.0.1"
    """The address those metrics servers listen on."""

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

    # --- the app channel: Open311 and the citizen page -----------------------------------
    open311_jurisdiction: str = ""
    """The jurisdiction_id Open311 clients must name when they name one; empty: any is taken."""
    open311_key_limit: str = "120/minute"
    """Open311 requests one API key may make (the `limits` notation: "120/minute")."""
    open311_address_limit: str = "60/minute"
    """Open311 requests one client address may make, whatever key it uses."""
    media_allow_loopback: bool = False
    """Tests only: let the media job fetch an app's media_url from this machine (loopback)."""

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
