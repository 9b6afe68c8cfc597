"""The ESME: one bind_transceiver to the SMSC, kept up (enquire_link, reconnect with back-off
after a drop or the SMSC's unbind), serving the send jobs' requests through a window of
outstanding PDUs at the SMSC's pace, and taking in what the SMSC delivers.

Threads: the main loop binds, takes requests from Redis while the window has room and
hands each to a pool thread (which writes the PDUs and waits for their answers); a reader
thread reads every PDU, hands answers to their waiters and answers the SMSC's own requests;
one inbound thread stores what each deliver_sm carries, in the order they came, and only
then answers it (so a slow commit never holds up the answers the senders wait for).
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Callable

from redis import Redis
from redis.exceptions import RedisError
from smpplib import consts
from sqlalchemy.orm import Session as DbSession

from models.settings import SmppSettings
from sms.smpp import bridge, inbound, submitting
from sms.smpp.session import Answer, Delivery, LinkDown, Request, Session
from sms.smpp.window import Pace, Window

log = logging.getLogger(__name__)

RECONNECT_FIRST, RECONNECT_MAX = 1.0, 60.0
"""Seconds before the first reconnection after a drop, and the longest wait (it doubles)."""
ANSWER_TIMEOUT = 10.0
"""Seconds the SMSC has to answer a PDU before the link counts as broken."""
UNBIND_WAIT = 5.0
"""Seconds to wait for unbind_resp on the way out."""
HOUSEKEEPING = 5.0
"""Seconds between looks for long inbound texts whose missing part is overdue."""
MARK_EVERY = 0.5
"""Seconds between the link's "bound" marks in Redis (they live bridge.BOUND_TTL): not one a request."""
READ_WAIT = 0.2
"""Seconds the reader waits for a PDU before it looks at the clock (keep-alive, timeouts)."""


class Link:
    """One bind; `run()` until `stop` is set (SIGTERM), then unbind cleanly."""

    def __init__(self, settings: SmppSettings, sessions: Callable[[], DbSession], redis: Redis) -> None:
        self.settings, self.sessions, self.redis = settings, sessions, redis
        self.stop = threading.Event()
        self.bound = threading.Event()
        """Set while a session is bound (tests and the bench wait on it)."""
        self.window = Window(settings.window)
        self.pace = Pace(settings.tps)
        self._session: Session | None = None
        self._down = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=settings.window, thread_name_prefix="smpp-send")
        self._inbound = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smpp-inbound")
        self._free = threading.Semaphore(settings.window)
        self._heard = time.monotonic()
        self._marked = 0.0
        self._probe: tuple[Future[Answer], float] | None = None

    # --- the bind, kept up ---------------------------------------------------------------

    def run(self) -> None:
        """Bind, serve, and bind again after each drop, until stopped."""
        delay = RECONNECT_FIRST
        while not self.stop.is_set():
            try:
                self._bind()
            except LinkDown as exc:
                log.error("smpp bind failed", extra={"error": str(exc), "retry_in_s": delay,
                                                     "status": getattr(exc, "status", None)})
                self.stop.wait(delay)
                delay = min(RECONNECT_MAX, delay * 2)
                continue
            delay = RECONNECT_FIRST
            self._serve()
        self._pool.shutdown(wait=True)
        self._inbound.shutdown(wait=True)

    def _bind(self) -> None:
        session = Session(self.settings)
        session.bind()
        self._session, self._heard, self._probe = session, time.monotonic(), None
        self._down.clear()
        try:
            bridge.mark_bound(self.redis)
        except RedisError:
            pass  # the main loop says so again, and logs it, until Redis answers
        self.bound.set()
        log.info("smpp bound", extra={"host": self.settings.host, "port": self.settings.port,
                                      "system_id": self.settings.system_id})

    def _serve(self) -> None:
        session = self._session
        assert session is not None
        reader = threading.Thread(target=self._read_loop, args=(session,), name="smpp-read", daemon=True)
        reader.start()
        kept = 0.0
        while not self.stop.is_set() and not self._down.is_set():
            if time.monotonic() - kept > HOUSEKEEPING:
                inbound.overdue(self.sessions)
                kept = time.monotonic()
            self._take_one()
        if not self._down.is_set():
            self._leave(session)
        reader.join()

    def _take_one(self) -> None:
        """Say we are bound, and hand the next request to a pool thread once one is free."""
        request, taking = None, False
        try:
            if time.monotonic() - self._marked > MARK_EVERY:
                bridge.mark_bound(self.redis)
                self._marked = time.monotonic()
            taking = self._free.acquire(timeout=0.5)
            request = bridge.take(self.redis, 0.5) if taking else None
        except RedisError as exc:
            log.warning("smpp cannot reach Redis for requests", extra={"error": type(exc).__name__})
            self.stop.wait(1.0)
        if request is not None:
            self._pool.submit(self._handle, request)
        elif taking:
            self._free.release()

    def _handle(self, request: dict[str, Any]) -> None:
        try:
            handler = submitting.submit if request.get("op") == "submit" else submitting.find
            result = handler(self, request)
            if result is not None:
                bridge.answer(self.redis, request, result)
        except Exception:
            log.exception("smpp request failed", extra={"op": request.get("op"), "ref": request.get("ref")})
        finally:
            self._free.release()

    def _leave(self, session: Session) -> None:
        """Stopping: let the texts in flight get their answers, then unbind and close."""
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while self.window.outstanding and time.monotonic() < deadline:
            time.sleep(0.05)
        try:
            session.unbind(self.window.expect).result(timeout=UNBIND_WAIT)
            log.info("smpp unbound")
        except (LinkDown, FutureTimeout):
            log.warning("smpp unbind not answered; closing")
        self.lost("unbound on the way out", level=logging.INFO)

    def lost(self, why: str, level: int = logging.WARNING) -> None:
        """The session is over (dropped, unbound, or silent): fail its waiters and close it."""
        if self._down.is_set():
            return
        self._down.set()
        self.bound.clear()
        waiting = self.window.drop_all(why)
        if self._session is not None:
            self._session.close()
        log.log(level, "smpp link down", extra={"why": why, "unanswered": waiting})

    # --- writing (pool threads) ---------------------------------------------------------

    def send(self, write: Callable[[Session], Future[Answer]]) -> Answer:
        """Write one PDU through the window at the SMSC's pace and wait for its answer.

        Raises NotWritten when it never left us, LinkDown when it did and no answer came."""
        with self.window.slot():
            self.pace.wait()
            session = self._session
            if session is None or self._down.is_set():
                raise submitting.NotWritten("the link is down")
            try:
                future = write(session)
            except LinkDown as exc:
                self.lost(str(exc))
                raise submitting.NotWritten(str(exc)) from None
            try:
                return future.result(timeout=ANSWER_TIMEOUT)
            except FutureTimeout:
                self.lost(f"no answer in {ANSWER_TIMEOUT:.0f} s")
                raise LinkDown("no answer") from None

    # --- reading (the reader thread) ------------------------------------------------------

    def _read_loop(self, session: Session) -> None:
        while not self._down.is_set():
            try:
                pdu = session.read(READ_WAIT)
            except LinkDown as exc:
                self.lost(str(exc))
                return
            if pdu is None:
                self._keep_alive(session)
                continue
            self._heard = time.monotonic()
            try:
                self._dispatch(session, pdu)
            except LinkDown as exc:
                self.lost(str(exc))
                return

    def _dispatch(self, session: Session, pdu: Answer | Request | Delivery) -> None:
        if isinstance(pdu, Answer):
            if not self.window.answered(pdu):
                log.info("smpp answer nobody waits for", extra={"command": pdu.command, "sequence": pdu.sequence})
        elif isinstance(pdu, Delivery):
            self._inbound.submit(self._take_in, session, pdu)
        elif pdu.command == "enquire_link":
            session.answer("enquire_link_resp", pdu.sequence)
        elif pdu.command == "unbind":
            session.answer("unbind_resp", pdu.sequence)
            self.lost("the SMSC unbound")
        else:
            session.answer("generic_nack", pdu.sequence, consts.SMPP_ESME_RINVCMDID)

    def _take_in(self, session: Session, pdu: Delivery) -> None:
        """Store a deliver_sm's text or receipt, then answer it (the inbound thread)."""
        status = inbound.deliver(self.sessions, self.settings, pdu)
        try:
            session.answer("deliver_sm_resp", pdu.sequence, status)
        except LinkDown:
            log.info("smpp deliver_sm stored, its answer lost with the link: the SMSC delivers it again",
                     extra={"sequence": pdu.sequence})

    def _keep_alive(self, session: Session) -> None:
        """After enquire_link seconds of silence ask the SMSC; no answer in time: reconnect."""
        now = time.monotonic()
        if self._probe is not None:
            future, sent = self._probe
            if future.done():
                self._probe = None
            elif now - sent > ANSWER_TIMEOUT:
                self.lost("no answer to enquire_link")
            return
        if now - self._heard > self.settings.enquire_link:
            try:
                self._probe = (session.enquire(self.window.expect), now)
            except LinkDown as exc:
                self.lost(str(exc))
