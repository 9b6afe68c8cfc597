"""Settings: read once from the environment by each entry point and passed down."""

from __future__ import annotations

import os
import secrets
from datetime import datetime, time, timedelta
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Mapping

import limits

from models.settings import ROUTE_PROVIDERS, Settings, SmppSettings, TwilioSettings


DATA_DIR_MODE = 0o750
"""The data directory, when the engine makes it: recordings, attachments and the database are
personal data; the engine's group (which Asterisk shares) may enter, others may not."""


class SettingsError(ValueError):
    """A setting has a value the engine cannot use."""


def read_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings `environ` (default: the process environment) gives; SettingsError names
    the first variable whose value cannot be used."""
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("FOAD_DATA_DIR") or "./data").resolve()
    smpp = _smpp(env)
    return Settings(
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
        # --- the web app ---
        web_max_body_bytes=int(_number(env, "FOAD_WEB_MAX_BODY_BYTES", 4_000_000)),
        web_body_timeout=_number(env, "FOAD_WEB_BODY_TIMEOUT", 10.0),
        # --- voice ---
        fastagi_allow=_networks(env, "FOAD_FASTAGI_ALLOW"),
        fastagi_timeout=_number(env, "FOAD_FASTAGI_TIMEOUT", 300.0),
        fastagi_stop_grace=_number(env, "FOAD_FASTAGI_STOP_GRACE", 60.0),
        fastagi_processes=_count(env, "FOAD_FASTAGI_PROCESSES", 1, least=1),
        # --- metrics ---
        metrics_port=_port(env, "FOAD_METRICS_PORT"),
        metrics_host=(env.get("FOAD_METRICS_HOST") or "127.0.0.1").strip(),
        # --- workers ---
        business_hours=_hours(env, "FOAD_BUSINESS_HOURS"),
        survey_timeout=timedelta(hours=_number(env, "FOAD_SURVEY_TIMEOUT_HOURS", 72)),
        fixed_now=_moment(env, "FOAD_FIXED_NOW"),
        # --- the app channel ---
        open311_jurisdiction=(env.get("FOAD_OPEN311_JURISDICTION") or "").strip(),
        open311_key_limit=_rate(env, "FOAD_OPEN311_KEY_LIMIT", "120/minute"),
        open311_address_limit=_rate(env, "FOAD_OPEN311_ADDRESS_LIMIT", "60/minute"),
        media_allow_loopback=_flag(env, "FOAD_MEDIA_ALLOW_LOOPBACK", False),
        triage_wait=timedelta(minutes=_number(env, "FOAD_TRIAGE_WAIT_MINUTES", 10)),
    )


DEFAULT_ROUTES = "+98=smpp,*=twilio"
"""With an SMSC configured: Iranian numbers through the operator, the rest through Twilio."""


def _smpp(env: Mapping[str, str]) -> SmppSettings:
    """The FOAD_SMPP_* settings."""
    return SmppSettings(
        host=env.get("FOAD_SMPP_HOST", ""),
        port=_port(env, "FOAD_SMPP_PORT") or 2775,
        system_id=env.get("FOAD_SMPP_SYSTEM_ID", ""),
        password=env.get("FOAD_SMPP_PASSWORD", ""),
        system_type=env.get("FOAD_SMPP_SYSTEM_TYPE", ""),
        source_addr=env.get("FOAD_SMPP_SOURCE_ADDR") or "128",
        source_ton=_count(env, "FOAD_SMPP_SOURCE_TON"),
        source_npi=_count(env, "FOAD_SMPP_SOURCE_NPI"),
        tps=_number(env, "FOAD_SMPP_TPS", 50.0, zero=True),
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


def _number(env: Mapping[str, str], name: str, default: float, *, zero: bool = False) -> float:
    """A number greater than zero (or, with `zero`, 0 or more); `default` when unset."""
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if value < 0 or (value == 0 and not zero):
        raise SettingsError(f"{name} must be {'0 or more' if zero else 'greater than zero'}, not {raw!r}")
    return value


def _rate(env: Mapping[str, str], name: str, default: str) -> str:
    """A rate in the `limits` notation ("120/minute", "5 per second")."""
    raw = (env.get(name) or default).strip()
    try:
        limits.parse(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a rate such as 120/minute, not {raw!r}") from None
    return raw


def _count(env: Mapping[str, str], name: str, default: int = 0, *, least: int = 0) -> int:
    """A whole number, `least` or more; `default` when unset."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and int(raw) >= least):
        raise SettingsError(f"{name} must be a whole number, {least} or more, not {raw!r}")
    return int(raw)


def _port(env: Mapping[str, str], name: str) -> int | None:
    """A TCP port, 1 to 65535; None when unset."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and 0 < int(raw) < 65536):
        raise SettingsError(f"{name} must be a port number (1-65535), not {raw!r}")
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
    # Made for the engine's user and group (Asterisk's, see dialplans/foad.conf), nobody else.
    data_dir.mkdir(mode=DATA_DIR_MODE, parents=True, exist_ok=True)
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
