"""A call's complaint as the intake service takes it, from the Call row, and the call's end.

The engine writes the take and the caller's choices on the row the moment the take is made.
The ticket is then opened from the row, by the engine when the caller submits (or hangs up),
by the hangup handler when the engine died first, or by the call sweep when even the hangup
report never came; the row is locked and its ticket checked in the same transaction, so a
call never gets two. Closing a call (`close_call`) is the same for the handler and the sweep.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Mapping

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import NoResultFound, SQLAlchemyError
from sqlalchemy.orm import Session

from models.calls import Call
from models.categories import OTHER
from models.errors import DomainError
from models.events import Event
from models.intake import Complaint, IntakeRules, Opened, register
from models.lean import Lean
from models.settings import Settings
from models.db import one_statement
from models.tickets import Ticket, Via, entry_for_each, entry_parameters, event_row, write_events

log = logging.getLogger(__name__)


def locked_call(session: Session, call_id: int) -> Call:
    """The Call row, locked until the transaction ends (SQLite: its writes are serial anyway)."""
    return session.scalars(select(Call).where(Call.id == call_id).with_for_update()).one()


TAKE = ("voice_path", "sector_code", "category_code", "province_code", "language")
"""The Call row's columns that hold its complaint: the take and the caller's choices."""

_SUBMITTING = Lean(select(Call.ticket_id, Call.caller).where(Call.id == bindparam("call_id")).with_for_update())
_SUBMITTED = Lean(update(Call.__table__).where(Call.__table__.c.id == bindparam("call_id")).values(
    {column: bindparam(column, type_=Call.__table__.c[column].type) for column in ("ticket_id", "progress", *TAKE)}))
"""Built once and run lean (models.lean): every call that is submitted runs them."""


def submit(session: Session, call_id: int, progress: str, take: Mapping[str, str | None],
           settings: Settings) -> Opened:
    """The caller submitted the complaint: write `progress` and the `take` (TAKE's columns) on
    the call's row, locked, and open its ticket through intake, unless the hangup handler
    opened it first (then that ticket). In the caller's transaction; intake's DomainError when
    it refuses (a blocked number, the hourly limit).

    Core statements, not the row loaded and flushed: every submitted call comes here."""
    found = _SUBMITTING.first(session.connection(), {"call_id": call_id})
    if found is None:
        raise NoResultFound(f"no call {call_id}")  # as .one() raised it
    if found.ticket_id is not None:
        opened = Opened(session.get_one(Ticket, found.ticket_id), code_texted=False)
    else:
        opened = register(session, _complaint(found.caller, take), IntakeRules.from_settings(settings))
    _SUBMITTED.rows(session.connection(), {"call_id": call_id, "ticket_id": opened.ticket.id,
                                           "progress": progress, **take})
    return opened


def open_from_call(session: Session, row: Call, settings: Settings) -> Opened:
    """Open the ticket of `row` (locked, with a take and no ticket) in the caller's
    transaction; intake's DomainError when it refuses (a blocked number, the hourly limit)."""
    take = {column: getattr(row, column) for column in TAKE}
    return register(session, _complaint(row.caller, take, origin=row), IntakeRules.from_settings(settings))


def _complaint(caller: str | None, take: Mapping[str, str | None], origin: Call | None = None) -> Complaint:
    return Complaint(via=Via.CALL, caller=caller, voice_path=take["voice_path"], sector=take["sector_code"],
                     category=take["category_code"] or OTHER, province=take["province_code"],
                     language=take["language"], origin=origin)


def open_left_behind(session: Session, row: Call, settings: Settings) -> Opened | None:
    """The ticket of a take nobody submitted (`row` locked, with a take and no ticket), in a
    savepoint: if intake refuses or fails, whatever else the caller's transaction records of
    the call still stands. What intake opened, or None."""
    try:
        with session.begin_nested():  # its release writes the row's ticket_id
            opened = open_from_call(session, row, settings)
    except DomainError as exc:
        log.info("take kept on the call, no ticket", extra={"call": row.uniqueid, "reason": str(exc)})
        return None
    except SQLAlchemyError:
        log.exception("could not open the ticket of a take left behind", extra={"call": row.uniqueid})
        return None
    log.warning("ticket opened for a take left behind: the engine never finished the call",
                extra={"call": row.uniqueid, "ticket": opened.ticket.code})
    return opened


_CALLS = Call.__table__
_ENDED = (update(_CALLS)
          .where(_CALLS.c.uniqueid == bindparam("call"), _CALLS.c.ended_at.is_(None),
                 or_(_CALLS.c.ticket_id.is_not(None), _CALLS.c.voice_path.is_(None)))
          .values({column: bindparam(name, type_=_CALLS.c[column].type) for column, name in (
              ("ended_at", "at"), ("duration_s", "duration_s"), ("hangup_cause", "cause"),
              ("recording_path", "recording"))})
          .returning(_CALLS.c.ticket_id, select(Ticket.code).where(Ticket.id == _CALLS.c.ticket_id)
                     .scalar_subquery().label("code")))
"""`end_call`'s statement, built once (every call's hangup handler runs it)."""
_ENDED_AS = _ENDED.cte("ended")
_ENDED_NOTED = Lean(select(_ENDED_AS.c.ticket_id, _ENDED_AS.c.code)
                .add_cte(entry_for_each(_ENDED_AS.c.ticket_id).cte("noted")))
"""`end_call`'s statement on PostgreSQL: the call's end and its ticket's entry, in one."""


def end_call(session: Session, uniqueid: str, *, at: datetime, duration_s: int, cause: str | None,
             recording: str | None) -> tuple[bool, str | None]:
    """`close_call` for the end every call has: the first report of a call on record with no
    take left behind, in one UPDATE and, for a ticket's call, its timeline entry. Whether it
    was that end, and the call's ticket code (None without one); when it was not (the call
    unknown, its end reported before, a take nobody submitted), nothing was written and the
    caller takes `close_call`'s way, after a commit. On PostgreSQL the UPDATE and the entry
    are one statement, on its own (no transaction around it: one round trip where four were);
    on SQLite, in the caller's transaction."""
    entry = event_row(Event.CALL_ENDED, at=at, call=uniqueid, duration_s=duration_s, recording=recording)
    parameters = {"call": uniqueid, "at": at, "duration_s": duration_s, "cause": cause, "recording": recording}
    if session.get_bind().dialect.name == "postgresql":
        one_statement(session)
        row = _ENDED_NOTED.first(session.connection(), {**parameters, **entry_parameters(entry)})
    else:
        row = session.connection().execute(_ENDED, parameters).first()
        if row is not None and row.ticket_id is not None:
            write_events(session, row.ticket_id, [entry])
    if row is None:
        return False, None
    if row.ticket_id is None:
        return True, None
    # A ticket the engine committed while this statement waited for the row is not in the
    # statement's snapshot (PostgreSQL, read committed): its code is read on its own.
    code = row.code or session.scalar(select(Ticket.code).where(Ticket.id == row.ticket_id))
    return True, code


def close_call(session: Session, row: Call, settings: Settings, *, at: datetime,
               duration_s: int | None, cause: str | None, recording: str | None,
               note: str | None = None) -> Opened | None:
    """The call's end on its row (`row` locked); a take left behind becomes a ticket; a call
    that is or now became a ticket gets `call_ended` on its timeline once, however often
    its end is reported. Commit is the caller's. The ticket opened now, if one was.

    The ticket itself is not read (the timeline entry goes by its id): every call's hangup
    handler comes here."""
    first = row.ended_at is None
    row.ended_at, row.duration_s, row.hangup_cause, row.recording_path = at, duration_s, cause, recording
    opened = None
    if row.ticket_id is None and row.voice_path is not None:
        opened = open_left_behind(session, row, settings)
        first = first or opened is not None
    if row.ticket_id is not None and first:
        _note_end(session, row.ticket_id, row.uniqueid, at=at, duration_s=duration_s, recording=recording,
                  note=note)
    return opened


def _note_end(session: Session, ticket_id: int, uniqueid: str, *, at: datetime, duration_s: int | None,
              recording: str | None, note: str | None = None) -> None:
    """`call_ended` on the ticket's timeline, by its id (the ticket itself is not read)."""
    write_events(session, ticket_id, [event_row(Event.CALL_ENDED, at=at, call=uniqueid, duration_s=duration_s,
                                                recording=recording, note=note)])
