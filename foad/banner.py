"""What `foad serve` says once every service listens: where things are, and what to do first."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from foad.runtime import database
from foad.serve import Addresses
from models.settings import Settings
from models.users import User
from sms.providers.twilio import INBOUND_PATH, STATUS_PATH


def banner(settings: Settings, redis_url: str, at: Addresses, local_texts: bool = False) -> list[str]:
    """The lines `foad serve` prints when it is ready; `local_texts` when the engine texts
    through the local Twilio-compatible server (whose token then signs the webhooks)."""
    web = f"http://{_here(at.host)}:{at.port}"
    public = settings.public_base_url or web
    lines = ["foad is ready (Ctrl-C stops it)",
             f"  console:      {web}/console/",
             f"  SMS webhooks: {public}{INBOUND_PATH} (Twilio: a message comes in), {public}{STATUS_PATH}",
             f"  FastAGI:      agi://{_here(at.fastagi_host)}:{at.fastagi_port} (the dialplan's FOAD_AGI)",
             f"  database:     {make_url(settings.database_url).render_as_string(hide_password=True)}",
             f"  redis:        {_redis(settings, redis_url)}"]
    if at.metrics_port is not None:
        lines.append(f"  metrics:      {web}/metrics, FastAGI's at {settings.metrics_host}:{at.metrics_port}, "
                     f"the worker's at {settings.metrics_host}:{at.metrics_port + 1}")
    if local_texts:
        lines.append("  texts:        to a local Twilio-compatible server; try "
                     "`foad sms --from 09121234567 \"…\"`")
    elif settings.sms_check_signatures and not settings.twilio.auth_token:
        lines.append("  SMS webhooks refuse every request until TWILIO_AUTH_TOKEN is set")
    return lines + _first_steps(settings)


def _first_steps(settings: Settings) -> list[str]:
    try:
        with database(settings) as session:
            users = session.scalar(select(func.count()).select_from(User))
    except SQLAlchemyError:
        return ["  the database is not ready: run `foad db upgrade`"]
    return [] if users else ["  no console user yet: run `foad users add NAME --role supervisor`"]


def _redis(settings: Settings, url: str) -> str:
    if not settings.redis_url:
        return f"embedded, {url}"
    return make_url(url).render_as_string(hide_password=True)


def _here(host: str) -> str:
    """The host to put in a URL for a server bound to `host` ("0.0.0.0", "::": any of ours)."""
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
