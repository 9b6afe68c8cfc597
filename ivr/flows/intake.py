"""The `intake` route: a call to 128 or the overseas line, from greeting to goodbye."""

from __future__ import annotations

import logging

from foad.runtime import Runtime
from ivr.control import CallControl, Hangup
from ivr.flows import complaint, followup
from ivr.flows.menus import MAX_FAILURES, MENU_TIMEOUT_MS, TooManyFailures, choose, say_goodbye
from ivr.prompts import sound
from ivr.lines import OVERSEAS
from ivr.visit import Step, Visit

log = logging.getLogger(__name__)


def answer(call: CallControl, runtime: Runtime) -> None:
    """Serve one call; whenever it ends, whatever the caller recorded is kept."""
    visit = Visit.begin(call, runtime)
    log.info("call answered", extra={**visit.extra, "line": visit.line})
    try:
        _converse(visit)
    except Hangup:
        log.info("caller hung up", extra={**visit.extra, "progress": visit.step.value})
    finally:
        visit.settle()
        visit.save_progress()
        complaint.save_on_hangup(visit)


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
