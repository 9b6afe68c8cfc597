"""The `intake` route: a call to 128 or the overseas line, from greeting to goodbye."""

from __future__ import annotations

import logging
from functools import partial

from ivr.control import CallControl, Hangup
from ivr.flows import complaint, followup
from ivr.flows.menus import MAX_FAILURES, MENU_TIMEOUT_MS, TooManyFailures, choose, say_goodbye
from ivr.lines import OVERSEAS
from ivr.prompts import sound
from ivr.visit import Step, Visit
from models.runtime import Runtime

log = logging.getLogger(__name__)


def answer(call: CallControl, runtime: Runtime) -> None:
    """Serve one call; whenever it ends, whatever the caller recorded is kept. If the
    database fails, the caller is told so and the call ends: never silence."""
    try:
        visit = Visit.begin(call, runtime)
    except Exception:  # the database: no call record, no menus
        log.exception("could not start the call", extra={"call": call.request.uniqueid})
        return apologise(call)
    log.info("call answered", extra={**visit.extra, "line": visit.line})
    try:
        _converse(visit)
    except Hangup:
        log.info("caller hung up", extra={**visit.extra, "progress": visit.step.value})
    except Exception:  # intake's refusals are answered inside: this is the database, or a bug
        log.exception("call failed", extra={**visit.extra, "progress": visit.step.value})
        apologise(call)
    finally:
        _wrap_up(visit)


def apologise(call: CallControl) -> None:
    """"Sorry, something went wrong, please call again later", and hang up."""
    try:
        say_goodbye(call, "sorry_technical")
    except Hangup:
        pass  # the caller had gone already


def _wrap_up(visit: Visit) -> None:
    """The call's last database work; each step on its own, so one failing skips no other
    (a take still on the row is the hangup handler's to open)."""
    visit.settle()
    for step in (visit.save_progress, partial(complaint.save_on_hangup, visit)):
        try:
            step()
        except Exception:
            log.exception("could not save the end of the call", extra=visit.extra)


def _converse(visit: Visit) -> None:
    if visit.blocked:
        log.info("blocked number refused", extra=visit.extra)
        return say_goodbye(visit.call, "blocked_notice")
    try:
        if visit.line == OVERSEAS:
            choose_language(visit)
        visit.call.play(sound("welcome"))
        visit.reach(Step.MENU)
        if choose(visit.call, "main_menu", "12") == "1":
            complaint.take(visit)
        else:
            followup.answer(visit)
    except TooManyFailures as exc:
        log.info("no usable answer, goodbye", extra={**visit.extra, "menu": str(exc)})
        say_goodbye(visit.call, "goodbye_no_choice")


def choose_language(visit: Visit) -> None:
    """Overseas line: "1 for Persian" said in Persian, then "2 for English" in English."""
    visit.reach(Step.LANGUAGE)
    for _ in range(MAX_FAILURES):
        visit.set_language("fa")
        key = visit.call.play(sound("language_menu"), keys="12")
        if not key:
            visit.set_language("en")
            key = visit.call.collect_digits(sound("language_menu"), 1, MENU_TIMEOUT_MS)
        if key in ("1", "2"):
            visit.set_language("fa" if key == "1" else "en")
            return
    raise TooManyFailures("language_menu")
