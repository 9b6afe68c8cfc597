"""Settings: read once from the environment by each entry point and passed down."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Mapping

import limits


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

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Build the settings from `environ` (default: the process environment)."""
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("FOAD_DATA_DIR") or "./data").resolve()
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
            # --- the app channel ---
            open311_jurisdiction=(env.get("FOAD_OPEN311_JURISDICTION") or "").strip(),
            open311_key_limit=_rate(env, "FOAD_OPEN311_KEY_LIMIT", "120/minute"),
            open311_address_limit=_rate(env, "FOAD_OPEN311_ADDRESS_LIMIT", "60/minute"),
            media_allow_loopback=_flag(env, "FOAD_MEDIA_ALLOW_LOOPBACK", False),
        )


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


def _rate(env: Mapping[str, str], name: str, default: str) -> str:
    """A rate in the `limits` notation ("120/minute", "5 per second")."""
    raw = (env.get(name) or default).strip()
    try:
        limits.parse(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a rate such as 120/minute, not {raw!r}") from None
    return raw


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
