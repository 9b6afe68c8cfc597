"""Structured logging: every record carries its context (ticket code, call or message id)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

from models.settings import Settings

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


def _kv(value: object) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if (not text or " " in text or '"' in text) else text


def configure_logging(settings: Settings, *, stream=None) -> None:
    """Send the root logger to stderr in the configured format; called by entry points only."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for name, level in QUIET.items():
        logging.getLogger(name).setLevel(level)
