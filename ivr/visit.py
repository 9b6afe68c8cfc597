"""One call as the flows see it: its Call row, line, language, caller, choices and takes."""

from __future__ import annotations

import functools
import logging
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ivr.agienv import AgiRequest
from ivr.control import CallControl, Ending, Recording
from ivr.folders import shared_folder
from ivr.lines import line_of
from ivr.sessions import in_background, in_database, when_free
from models.base import utcnow
from models.blocklist import blocking, is_blocked
from models.call_takes import submit
from models.calls import Call
from models.choices import call_menus
from models.db import alone, one_statement
from models.errors import DomainError
from models.intake import Opened
from models.lean import Lean
from models.phones import Caller, identify
from models.runtime import Runtime
from models.tickets import Ticket

log = logging.getLogger(__name__)

MIN_TAKE_S = 1.5
"""A take shorter than this holds nothing: Asterisk keeps one second of the silence that
ended a take, and a caller who hangs up at the beep leaves less."""


class Step(StrEnum):
    """How far a caller got (`Call.progress`, written when the call ends)."""

    ANSWERED = "answered"  # the engine took the call
    BLOCKED = "blocked"  # a blocked number: told so, and hung up on
    LANGUAGE = "language"  # the overseas line's language menu
    MENU = "menu"  # the main menu
    SECTOR = "sector"  # choosing the service
    CATEGORY = "category"  # choosing what went wrong
    PROVINCE = "province"  # keying the province's area code
    RECORDING = "recording"  # telling the complaint after the beep
    REVIEW = "review"  # submit, listen or record again
    SUBMITTED = "submitted"  # the ticket was opened and its code read out
    FOLLOW_UP = "follow_up"  # keying a tracking code
    FOLLOWED_UP = "followed_up"  # heard a ticket's status


def find_or_open_call(session: Session, request: AgiRequest, line: str) -> tuple[Call, str | None]:
    """The Call row of this ${UNIQUEID} (locked) and its ticket's code (None without one),
    the row made if it is the first we hear of the call. Looked up first: the hangup
    handler's call is almost always there."""
    found = session.execute(_LOCKED, {"uniqueid": request.uniqueid}).first()
    if found is None:
        _insert_call(session, request, line, identify(request.caller_id).e164, Step.ANSWERED.value)
        found = session.execute(_LOCKED, {"uniqueid": request.uniqueid}).one()  # ours, or the other route's
    return found[0], found[1]


def open_call(session: Session, request: AgiRequest, line: str,
              number: str | None) -> tuple[int, bool]:
    """The id of this ${UNIQUEID}'s Call row, made now, and whether `number` (the caller id
    as `identify` reads it) is blocked (its row then at BLOCKED). The intake route's call
    is almost always new: one INSERT, which reads the blocklist too (no savepoint, no
    second statement), on PostgreSQL on its own (no BEGIN and COMMIT round trips), as are
    the session's reads after it until it commits; if the hangup handler's row came first,
    that row, locked in a transaction."""
    one_statement(session)
    made = _insert_call(session, request, line, number, None)
    if made is not None:
        return made.id, made.progress == Step.BLOCKED
    session.commit()  # nothing was written: what follows takes a transaction of its own
    row, _ = find_or_open_call(session, request, line)
    if is_blocked(session, number):
        row.progress = Step.BLOCKED
        return row.id, True
    return row.id, False


_LOCKED = (select(Call, Ticket.code).outerjoin(Ticket, Ticket.id == Call.ticket_id)
           .where(Call.uniqueid == bindparam("uniqueid")).with_for_update(of=Call))
"""A call's row and its ticket's code (the hangup handler logs it; nothing here reads the
ticket itself), built once. Only the call is locked: PostgreSQL refuses FOR UPDATE on the
nullable side of an outer join."""


def _insert_call(session: Session, request: AgiRequest, line: str, caller: str | None,
                 progress: str | None) -> Any | None:
    """Insert the Call row unless one with this ${UNIQUEID} exists (the other route's,
    committed or not: PostgreSQL waits for it); its id and progress, or None when there was
    one. Its progress is `progress`, or with None BLOCKED or ANSWERED by the blocklist."""
    connection = session.connection()
    checks = progress is None and caller is not None
    now = utcnow()
    values = {"uniqueid": request.uniqueid, "line": line, "caller": caller, "dnid": request.dnid,
              "language": request.language, "started_at": now}
    values.update({"number": caller, "now": now} if checks else {"progress": progress or Step.ANSWERED.value})
    return _insert_statement(connection.dialect.name, checks).first(connection, values)


@functools.cache
def _insert_statement(dialect: str, checks_blocklist: bool) -> Lean:
    """`_insert_call`'s statement, built once for each database and shape (every call runs it,
    lean: models.lean); the columns come as parameters (every one with a default among them),
    and with `checks_blocklist` the progress from the blocklist."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = Call.__table__
    values: dict[str, Any] = {name: bindparam(name, type_=table.c[name].type) for name in _CALL_COLUMNS}
    if checks_blocklist:
        blocked = blocking(bindparam("number"), bindparam("now")).exists()
        values["progress"] = case((blocked, Step.BLOCKED.value), else_=Step.ANSWERED.value)
    else:
        values["progress"] = bindparam("progress", type_=table.c.progress.type)
    return Lean(insert(table).values(values).on_conflict_do_nothing(index_elements=[table.c.uniqueid])
                .returning(table.c.id, table.c.progress))


_CALL_COLUMNS = ("uniqueid", "line", "caller", "dnid", "language", "started_at")
"""What `_insert_call` writes of a new call, besides its progress."""


@dataclass
class Visit:
    """A call in progress and what the caller has told us so far."""

    call: CallControl
    runtime: Runtime
    call_id: int
    line: str
    caller: Caller
    blocked: bool
    language: str = "fa"
    sector: str | None = None
    category: str | None = None
    province: str | None = None
    takes: list[Recording] = field(default_factory=list)
    ticket_code: str | None = None
    step: Step = Step.ANSWERED
    sectors: dict[str, str | None] = field(default_factory=dict)
    """The sector menu: key → sector code, read once when the call starts."""
    categories: dict[str, str] = field(default_factory=dict)
    """The category menu: key → category code."""
    provinces: frozenset[str] = frozenset()
    """Provinces a caller may key: those with agencies in the directory."""
    saved: tuple[Step, str] | None = None
    """The progress and language last written to the Call row."""
    pending: list[Future] = field(default_factory=list)
    """Database work started for this call and maybe still running."""
    refused: DomainError | None = None
    """Why intake would not open this call's ticket, once it said so."""

    @classmethod
    def begin(cls, call: CallControl, runtime: Runtime) -> "Visit":
        """Record the call, check its number against the blocklist, read the menus: one
        transaction, before the caller hears anything."""
        request, line = call.request, line_of(call.request, runtime.settings)
        caller = identify(request.caller_id)
        call_id, blocked, menus = when_free(runtime, _open_visit, runtime, request, line, caller.e164)
        step = Step.BLOCKED if blocked else Step.ANSWERED
        return cls(call, runtime, call_id, line, caller, blocked, language=request.language, step=step,
                   saved=(step, request.language), **menus)

    @property
    def uniqueid(self) -> str:
        """Asterisk's ${UNIQUEID} of the call."""
        return self.call.request.uniqueid

    @property
    def extra(self) -> dict[str, str]:
        """Log context: the call and, once there is one, its ticket."""
        return {"call": self.uniqueid, **({"ticket": self.ticket_code} if self.ticket_code else {})}

    def reach(self, step: Step) -> None:
        """Note that the caller got this far; `save_progress` writes it when the call ends
        (a crash loses only that: the hangup handler still records the call)."""
        self.step = step

    def save_progress(self) -> None:
        """Write how far the caller got, and in which language, on the Call row."""
        if self.saved != (self.step, self.language):
            in_database(self.runtime, self._update, progress=self.step.value, language=self.language)
            self.saved = (self.step, self.language)

    def set_language(self, language: str) -> None:
        """Speak `language` from now on: prompts and SAY DIGITS follow the channel's language."""
        if language != self.language:
            self.call.set_variable("CHANNEL(language)", language)
            self.language = language

    def next_take_name(self) -> str:
        """Where Asterisk writes the next take (absolute, without extension)."""
        folder = shared_folder(self.runtime.settings.recordings_dir / "voice")
        return str(folder / f"{self.uniqueid}-{len(self.takes) + 1}")

    def keep(self, take: Recording) -> None:
        """Remember a take; a usable one goes on the Call row at once with the caller's
        choices (in the background, while the next prompt plays): if the engine dies, the
        hangup handler opens the ticket from the row (`models.call_takes`)."""
        self.takes.append(take)
        if usable(take):
            values = {"progress": self.step.value, **self._complaint(take)}
            # Only while the call has no ticket: on PostgreSQL's several lane threads this
            # write may land after the submit's, which already wrote the same take.
            self.pending.append(in_background(self.runtime, self._update, unlinked_only=True, **values))
            self.saved = (self.step, self.language)

    def start_ticket(self) -> "Future[Opened]":
        """Open the ticket in the background; its result is the Opened or the DomainError."""
        future = in_background(self.runtime, self.open_ticket)
        self.pending.append(future)
        return future

    def settle(self) -> None:
        """Wait for this call's database work; failures other than intake's refusals are logged."""
        wait(self.pending)
        for future in self.pending:
            error = future.exception()
            if error is not None and not isinstance(error, DomainError):
                log.error("saving a call failed", exc_info=error, extra=self.extra)
        self.pending.clear()

    @property
    def best_take(self) -> Recording | None:
        """The latest take worth a ticket."""
        return next((t for t in reversed(self.takes) if usable(t)), None)

    def relative(self, take: Recording) -> str:
        """A take's path relative to the recordings directory (what tickets store)."""
        return str(Path(take.path).relative_to(self.runtime.settings.recordings_dir))

    def open_ticket(self, step: Step | None = Step.SUBMITTED) -> Opened:
        """Open the ticket with the best take through the intake service, linked to this call
        (database work: run it on the lane); the call's ticket if one is open already."""
        take = self.best_take
        assert take is not None, "a call's complaint is its recording"
        step = step or self.step
        with self.runtime.session() as session:
            try:
                # The take is written again: its background write may still be on its way.
                opened = submit(session, self.call_id, step.value, self._complaint(take), self.runtime.settings)
            except DomainError as exc:
                self.refused = exc
                raise
            session.commit()
        self.step, self.saved, self.ticket_code = step, (step, self.language), opened.ticket.code
        return opened

    def _complaint(self, take: Recording) -> dict[str, str | None]:
        """What the Call row keeps of the complaint: the take and the choices made."""
        return {"voice_path": self.relative(take), "sector_code": self.sector, "category_code": self.category,
                "province_code": self.province, "language": self.language}

    def _update(self, *, unlinked_only: bool = False, **values: object) -> None:
        # One statement on its own: no BEGIN and COMMIT round trips around it.
        alone(self.runtime.engine, _update_of(unlinked_only, tuple(values)), {"call_id": self.call_id, **values})


@functools.lru_cache(maxsize=32)
def _update_of(unlinked_only: bool, columns: tuple[str, ...]) -> Lean:
    """`Visit._update`'s statement setting `columns` of a Call row (of one with no ticket yet
    when `unlinked_only`), built once for each (a call makes a few, every call the same)."""
    table = Call.__table__
    statement = update(table).where(table.c.id == bindparam("call_id")).values(
        {name: bindparam(name, type_=table.c[name].type) for name in columns})
    return Lean(statement.where(table.c.ticket_id.is_(None)) if unlinked_only else statement)


def _open_visit(runtime: Runtime, request: AgiRequest, line: str,
                number: str | None) -> tuple[int, bool, dict[str, Any]]:
    """The Call row's id, whether the number is blocked, and the menus (on the lane): on
    PostgreSQL two round trips, each statement on its own (`open_call`)."""
    with runtime.session() as session:
        call_id, blocked = open_call(session, request, line, number)
        menus = call_menus(session)
        session.commit()
        return call_id, blocked, menus


def usable(take: Recording) -> bool:
    """True for a take long enough to hold a complaint."""
    return take.ending is not Ending.FAILED and take.seconds >= MIN_TAKE_S
