"""Structured logging: every record carries its context (ticket code, call or message id), and
no phone number reaches a log whole, whoever wrote the record (our code, gunicorn's access
log, a library)."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime, timezone
from typing import Mapping

from models.phones import PHONE_IN_TEXT
from models.providers import redact
from models.settings import Settings

NUMBER = re.compile(rf"(?<![A-Za-z]){PHONE_IN_TEXT.pattern}(?![A-Za-z])")
"""A phone number in a log line: as in any text, but not glued to letters (a Twilio SID's hex
holds runs of digits that would read as one)."""

# Attributes every LogRecord has; anything else was passed with `extra=` and is context.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

QUIET = {"twilio.http_client": logging.WARNING}
"""Library loggers held above INFO: twilio's client logs every request at INFO in ten lines,
its query string (the number a look-up is for) included."""


def context_of(record: logging.LogRecord) -> dict[str, object]:
    """The `extra=` fields of a record, such as ticket=..., call=..., message_sid=..."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class KeyValueFormatter(logging.Formatter):
    """`time level logger message key=value ...`: readable, and still greppable."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        pairs = " ".join(f"{k}={_kv(v)}" for k, v in context_of(record).items())
        line = f"{stamp} {record.levelname:<7} {record.name}: {record.getMessage()}"
        line = f"{line} {pairs}" if pairs else line
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **context_of(record),
        }
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


class MaskNumbers(logging.Filter):
    """Masks every phone number in a record's message and context ("+98…67"), so none is
    written whole: in a URL gunicorn logs, a name someone typed, a library's trace."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        message = record.getMessage()
        masked = mask_numbers(message)
        if masked != message:
            record.msg, record.args = masked, ()
        for key, value in context_of(record).items():
            if isinstance(value, str):
                setattr(record, key, mask_numbers(value))
        return True


def mask_numbers(text: str) -> str:
    """`text` with each phone number in it cut to its prefix and last two digits."""
    return NUMBER.sub(lambda found: redact(found.group()), text)


def _kv(value: object) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if (not text or " " in text or '"' in text) else text


class QuietRQ(logging.Filter):
    """RQ's INFO records (registries cleaned every tick, each periodic job started, done and
    kept) as DEBUG: routine upkeep, not news. Our own logs say what the jobs did."""

    def __init__(self, level: int | str) -> None:
        super().__init__()
        self.level = logging.getLevelName(level) if isinstance(level, str) else level

    def filter(self, record: logging.LogRecord) -> bool:
        """Demote an INFO record of an `rq.*` logger; keep it only if DEBUG is wanted."""
        if record.levelno == logging.INFO and record.name.startswith("rq."):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return record.levelno >= self.level


class QuietProbes(logging.Filter):
    """Gunicorn's access lines for monitoring's own requests (Prometheus' scrape of /metrics,
    a load balancer's /healthz) every few seconds are left out, unless they failed."""

    PATHS = frozenset({"/metrics", "/healthz"})

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the line unless it is a successful probe."""
        atoms = record.args if isinstance(record.args, Mapping) else {}
        return not (atoms.get("U") in self.PATHS and str(atoms.get("s", "")).startswith(("2", "3")))


def configure_logging(settings: Settings, *, stream=None) -> None:
    """Send the root logger to stderr in the configured format; called by entry points only."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else KeyValueFormatter())
    handler.addFilter(QuietRQ(settings.log_level))
    handler.addFilter(MaskNumbers())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for name, level in QUIET.items():
        logging.getLogger(name).setLevel(level)
