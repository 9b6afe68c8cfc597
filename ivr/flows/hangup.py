"""The `hangup` route: the dialplan's hangup handler tells us the call is over.

It records the end on the Call row, and if the call has a take but no ticket (the engine
died, or lost the connection, before the caller submitted) it opens the ticket from the row
through the intake service, with the same rules: a blocked number or one over the hourly
limit keeps its take on the call and gets no ticket. A second run opens nothing more.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import PurePath

from ivr.agienv import AgiRequest
from ivr.control import CallControl, Hangup
from ivr.lines import line_of
from ivr.sessions import when_free
from ivr.visit import find_or_open_call
from models.base import utcnow
from models.call_takes import close_call, end_call
from models.runtime import Runtime

log = logging.getLogger(__name__)


def call_ended(call: CallControl, runtime: Runtime) -> None:
    """Record when the call ended, how long it lasted and where MixMonitor put it."""
    request = call.request
    cause, billsec, mixed = (_variable(call, name) for name in
                             ("HANGUPCAUSE", "CDR(billsec)", "MIXMONITOR_FILENAME"))
    code, duration = when_free(runtime, _record_end, runtime, request, cause, billsec, mixed)
    log.info("call ended", extra={"call": request.uniqueid, "ticket": code, "duration_s": duration})


def _record_end(runtime: Runtime, request: AgiRequest, cause: str, billsec: str,
                mixed: str) -> tuple[str | None, int]:
    """The end on the Call row and, if it is or now becomes a ticket, on its timeline (on the
    lane). Asterisk's billsec is the duration; without it, the time since the call started."""
    at, recording = utcnow(), _recording(mixed, request.uniqueid)
    cause_code = cause[:40] if cause.isdigit() else None
    billed = int(billsec) if billsec.isdigit() else None
    with runtime.session() as session:
        if billed is not None:
            ended, code = end_call(session, request.uniqueid, at=at, duration_s=billed,
                                   cause=cause_code, recording=recording)
            session.commit()
            if ended:
                return code, billed
        row, code = find_or_open_call(session, request, line_of(request, runtime.settings))
        duration = billed if billed is not None else _seconds_since(row.started_at)
        opened = close_call(session, row, runtime.settings, at=at, duration_s=duration,
                            cause=cause_code, recording=recording)
        session.commit()
        return (opened.ticket.code if opened else code), row.duration_s


def _variable(call: CallControl, name: str) -> str:
    try:
        return call.get_variable(name) or ""
    except Hangup:  # the link closed under us: record what we know without it
        return ""


def _seconds_since(started: datetime) -> int:
    return max(0, int((utcnow() - started).total_seconds()))


def _recording(mixed: str, uniqueid: str) -> str | None:
    """MixMonitor's file relative to the recordings directory: `calls/<uniqueid>.wav`.

    The file name is checked against the call's own id, so only a file the dialplan named
    after ${UNIQUEID} is ever attached."""
    name = PurePath(mixed).name
    if not mixed or not name.startswith(f"{uniqueid}."):
        return None
    return f"calls/{name}"
