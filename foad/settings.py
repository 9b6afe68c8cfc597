"""Settings: read once from the environment by each entry point and passed down."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Mapping


class SettingsError(ValueError):
    """A setting has a value the engine cannot use."""


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

    # --- voice ---------------------------------------------------------------------------
    fastagi_allow: tuple[IPv4Network | IPv6Network, ...] = ()
    """The Asterisk servers FastAGI talks to (addresses or networks); empty: anyone who can
    reach its port. Others are closed at once."""
    fastagi_timeout: float = 300.0
    """Seconds FastAGI waits for Asterisk to say anything before it takes the caller as gone
    (longer than the longest prompt or recording)."""
    fastagi_stop_grace: float = 60.0
    """Seconds FastAGI lets calls in progress finish after SIGTERM before it cuts them off."""

    # --- workers (issue 6): the deadline clock, surveys, a controllable clock -----------
    business_hours: tuple[time, time] | None = None
    """Count the deadline only between these Tehran times, Saturday to Wednesday, holidays
    excepted (`foad holidays`); None: the clock runs round the clock."""
    survey_timeout: timedelta = timedelta(days=3)
    """A resolved ticket whose survey nobody answered closes after this."""
    fixed_now: datetime | None = None
    """For tests and drills only: jobs act as if it were always this moment."""

    # --- the console (issue 7) -----------------------------------------------------------
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
    asks a worker to roll them up again (older months: a day, see console.rollup)."""

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

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Build the settings from `environ` (default: the process environment)."""
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("FOAD_DATA_DIR") or "./data").resolve()
        smpp = _smpp(env)
        return cls(
            data_dir=data_dir,
            database_url=env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'foad.sqlite3'}",
            redis_url=env.get("REDIS_URL") or None,
            service_number=env.get("FOAD_SERVICE_NUMBER") or "128",
            overseas_number=env.get("FOAD_OVERSEAS_NUMBER") or "+989372840000",
            response_deadline=timedelta(
                minutes=_number(env, "FOAD_RESPONSE_DEADLINE_MINUTES", 180)
            ),
            max_complaints_per_hour=int(_number(env, "FOAD_MAX_COMPLAINTS_PER_HOUR", 5)),
            public_base_url=(env.get("FOAD_PUBLIC_BASE_URL") or "").rstrip("/"),
            secret_key=env.get("FOAD_SECRET_KEY") or _local_secret(data_dir),
            log_level=(env.get("FOAD_LOG_LEVEL") or "INFO").upper(),
            log_format=_choice(env, "FOAD_LOG_FORMAT", ("text", "json"), "text"),
            console_session=timedelta(minutes=_number(env, "FOAD_CONSOLE_SESSION_MINUTES", 60)),
            console_session_max=timedelta(hours=_number(env, "FOAD_CONSOLE_SESSION_MAX_HOURS", 12)),
            console_refresh=timedelta(seconds=_number(env, "FOAD_CONSOLE_REFRESH_SECONDS", 20)),
            report_min_complaints=int(_number(env, "FOAD_REPORT_MIN_COMPLAINTS", 10)),
            report_max_age=timedelta(minutes=_number(env, "FOAD_REPORT_MAX_AGE_MINUTES", 10)),
            twilio=TwilioSettings(
                account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
                auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
                from_number=env.get("TWILIO_FROM_NUMBER", ""),
                messaging_service_sid=env.get("TWILIO_MESSAGING_SERVICE_SID", ""),
                api_base_url=(
                    env.get("TWILIO_API_BASE_URL") or "https://api.twilio.com"
                ).rstrip("/"),
                timeout=_number(env, "TWILIO_HTTP_TIMEOUT", 10.0),
            ),
            smpp=smpp,
            sms_routes=_routes(env, "FOAD_SMS_ROUTES", DEFAULT_ROUTES if smpp.configured else "*=twilio"),
            # --- SMS intake --------------------------------------------------------------------
            sms_check_signatures=_flag(env, "FOAD_SMS_CHECK_SIGNATURES", True),
            media_max_bytes=int(_number(env, "FOAD_MEDIA_MAX_BYTES", 10_000_000)),
            trusted_proxies=_count(env, "FOAD_TRUSTED_PROXIES"),
            # --- voice ---
            fastagi_allow=_networks(env, "FOAD_FASTAGI_ALLOW"),
            fastagi_timeout=_number(env, "FOAD_FASTAGI_TIMEOUT", 300.0),
            fastagi_stop_grace=_number(env, "FOAD_FASTAGI_STOP_GRACE", 60.0),
            # --- workers (issue 6) ---
            business_hours=_hours(env, "FOAD_BUSINESS_HOURS"),
            survey_timeout=timedelta(hours=_number(env, "FOAD_SURVEY_TIMEOUT_HOURS", 72)),
            fixed_now=_moment(env, "FOAD_FIXED_NOW"),
        )


DEFAULT_ROUTES = "+98=smpp,*=twilio"
"""With an SMSC configured: Iranian numbers through the operator, the rest through Twilio."""


def _smpp(env: Mapping[str, str]) -> SmppSettings:
    """The FOAD_SMPP_* settings."""
    return SmppSettings(
        host=env.get("FOAD_SMPP_HOST", ""),
        port=int(_number(env, "FOAD_SMPP_PORT", 2775)),
        system_id=env.get("FOAD_SMPP_SYSTEM_ID", ""),
        password=env.get("FOAD_SMPP_PASSWORD", ""),
        system_type=env.get("FOAD_SMPP_SYSTEM_TYPE", ""),
        source_addr=env.get("FOAD_SMPP_SOURCE_ADDR") or "128",
        source_ton=_count(env, "FOAD_SMPP_SOURCE_TON"),
        source_npi=_count(env, "FOAD_SMPP_SOURCE_NPI"),
        tps=_zero_or_more(env, "FOAD_SMPP_TPS", 50.0),
        window=int(_number(env, "FOAD_SMPP_WINDOW", 10)),
        long_messages=_choice(env, "FOAD_SMPP_LONG_MESSAGES", ("udh", "sar"), "udh"),
        gsm7=_flag(env, "FOAD_SMPP_GSM7", True),
        enquire_link=_number(env, "FOAD_SMPP_ENQUIRE_LINK_SECONDS", 30.0),
        submit_timeout=_number(env, "FOAD_SMPP_SUBMIT_TIMEOUT", 20.0),
        receipt_wait=timedelta(minutes=_number(env, "FOAD_SMPP_RECEIPT_WAIT_MINUTES", 60)),
    )


def _routes(env: Mapping[str, str], name: str, default: str) -> tuple[tuple[str, str], ...]:
    """"+98=smpp,*=twilio" as (prefix, provider) pairs, the longest prefix first, "*" last."""
    raw = (env.get(name) or default).replace(" ", "")
    pairs = [part.partition("=") for part in raw.split(",") if part]
    for prefix, equals, provider in pairs:
        if not equals or provider not in ROUTE_PROVIDERS or not (
                prefix == "*" or (prefix.startswith("+") and prefix[1:].isdigit())):
            raise SettingsError(f"{name} must look like +98=smpp,*=twilio (providers: "
                                f"{', '.join(ROUTE_PROVIDERS)}), not {raw!r}")
    routes = {prefix: provider for prefix, _, provider in pairs}
    return tuple(sorted(routes.items(), key=lambda pair: (pair[0] == "*", -len(pair[0]))))


def _zero_or_more(env: Mapping[str, str], name: str, default: float) -> float:
    """A number, 0 or more; `default` when unset."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0:
        raise SettingsError(f"{name} must be a number, 0 or more, not {raw!r}")
    return value


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be greater than zero, not {raw!r}")
    return value


def _count(env: Mapping[str, str], name: str) -> int:
    """A whole number, zero or more; zero when unset."""
    raw = (env.get(name) or "0").strip()
    if not (raw.isascii() and raw.isdigit()):
        raise SettingsError(f"{name} must be a whole number, 0 or more, not {raw!r}")
    return int(raw)


def _networks(env: Mapping[str, str], name: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """"10.0.0.5, 10.1.0.0/16" as networks (an address is a network of one)."""
    parts = [part.strip() for part in (env.get(name) or "").split(",") if part.strip()]
    try:
        return tuple(ip_network(part, strict=False) for part in parts)
    except ValueError:
        raise SettingsError(f"{name} must list IP addresses or networks, not {env[name]!r}") from None


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = (env.get(name) or default).lower()
    if value not in allowed:
        raise SettingsError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _hours(env: Mapping[str, str], name: str) -> tuple[time, time] | None:
    """"07:30-14:30" as a (start, end) pair; empty means no business hours."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    try:
        start, end = (time.fromisoformat(part.strip()) for part in raw.split("-"))
    except ValueError:
        raise SettingsError(f"{name} must look like 07:30-14:30, not {raw!r}") from None
    if start >= end:
        raise SettingsError(f"{name} must end after it starts, not {raw!r}")
    return start, end


def _moment(env: Mapping[str, str], name: str) -> datetime | None:
    """An ISO 8601 moment with its UTC offset ("2026-11-28T09:00:00+03:30")."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise SettingsError(f"{name} must be an ISO 8601 time with its offset, not {raw!r}")
    return moment


def _local_secret(data_dir: Path) -> str:
    """A secret kept in the data directory, so sessions survive restarts without setup."""
    path = data_dir / "secret_key"
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        # "x" so that two processes starting together agree on one key.
        with open(path, "x", opener=lambda p, flags: os.open(p, flags, 0o600)) as out:
            out.write(secrets.token_urlsafe(32))
    except FileExistsError:
        pass
    return path.read_text().strip()


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")
