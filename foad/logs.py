"""Structured logging: every record carries its context (ticket code, call or message id), and
no phone number reaches a log whole, whoever wrote the record (our code, gunicorn's access
log, a library)."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime, timezone

from models.phones import PHONE_IN_TEXT
from models.providers import redact
from models.settings import Settings

NUMBER = re.compile(rf"(?<![A-Za-z]){PHONE_IN_TEXT.pattern}(?![A-Za-z])")
"""A phone number in a log line: as in any text, but not glued to letters (a Twilio SID's hex
holds runs of digits that would read as one)."""
QUIET_LIBRARIES = ("twilio.http_client",)
"""Loggers held to WARNING: their INFO lines trace every request (URLs with numbers in them)."""

# Attributes every LogRecord has; anything else was passed with `extra=` and is context.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


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


def configure_logging(settings: Settings, *, stream=None) -> None:
    """Send the root logger to stderr in the configured format; called by entry points only."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else KeyValueFormatter())
    handler.addFilter(MaskNumbers())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
