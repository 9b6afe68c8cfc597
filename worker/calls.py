"""The sweep of calls whose end never reached the engine.

The dialplan's hangup handler tells the engine each call ended, and opens the ticket of a
take the caller never submitted (ivr/flows/hangup.py). If that report never comes (the
engine was down or restarting when the caller hung up, Asterisk itself stopped), the call
would stay "in progress" and its take would never become a ticket. Once a call is older
than any call can be, this sweep closes it the way the handler would have: the take, if
any, becomes a ticket through the intake service, with the intake's refusals.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from models.call_takes import close_call, locked_call
from models.calls import Call
from models.runtime import current
from worker import context

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(hours=1)
"""A call still open this long after it began has ended unreported: longer than the longest
call (menus, a three-minute take, its review) and FOAD_FASTAGI_TIMEOUT's five minutes."""
SWEEP_BATCH = 200
"""Calls one run closes; the next run takes the rest."""


def sweep_calls() -> int:
    """The periodic job: close calls whose end was never reported; how many it closed."""
    now = current().now()
    with current().session() as session:
        stale = list(session.scalars(
            select(Call.id).where(Call.ended_at.is_(None), Call.started_at < now - STALE_AFTER)
            .order_by(Call.started_at).limit(SWEEP_BATCH)))
    closed = sum(_close(call_id, now) for call_id in stale)
    log.log(logging.INFO if closed else logging.DEBUG, "call sweep",
            extra={"closed": closed, "rq_job": context.job_id()})
    return closed


def _close(call_id: int, now: datetime) -> bool:
    """Close one stale call (locked; another sweep may have closed it since); True if this did."""
    runtime = current()
    with runtime.session() as session:
        row = locked_call(session, call_id)
        if row.ended_at is not None:
            return False
        mixed = runtime.settings.recordings_dir / "calls" / f"{row.uniqueid}.wav"
        # Ended when we learnt of it: Asterisk never said when.
        close_call(session, row, runtime.settings, at=now, duration_s=row.duration_s,
                   cause=row.hangup_cause,
                   recording=row.recording_path or (f"calls/{mixed.name}" if mixed.is_file() else None),
                   note="end never reported; closed by the call sweep")
        session.commit()
        log.warning("call closed by the sweep: its end was never reported",
                    extra={"call": row.uniqueid, "ticket": row.ticket.code if row.ticket else None,
                           "rq_job": context.job_id()})
        return True
