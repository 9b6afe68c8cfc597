"""A caller following up their own complaint hears its result, and may rate it on the keypad.

A landline or withheld caller cannot be texted the result (`result_waits`): it waits for
their follow-up call. So when the caller's number is the ticket's and the ticket has a
result, the result is spoken by espeak-ng into `sounds/results/<code>-<language>.wav`
(rendered while the status plays, kept for the next call, rendered again only if the ticket
was answered since) in the ticket's language, and played. The first time a waiting result
is told, `result_told` goes on the timeline (the survey sweep waits for it) and the caller
is asked to rate it 1 to 5; the rating is stored as an SMS answer would be (once per ticket).
"""

from __future__ import annotations

import logging
import subprocess
from concurrent.futures import Future
from pathlib import Path

from ivr.flows.menus import TooManyFailures, choose
from ivr.folders import shared_folder
from ivr.prompts import sound
from ivr.render import RenderError, missing_tools, render
from ivr.sessions import in_database
from ivr.visit import Visit
from models import survey_answers, textback
from models.errors import IllegalTransition
from models.locking import locked_ticket
from models.runtime import Runtime
from models.settings import Settings
from models.textback import OwnResult

log = logging.getLogger(__name__)

RATINGS = "12345"


def result_sound(settings: Settings, result: OwnResult) -> Path:
    """Where a ticket's result is rendered: named after its tracking code only."""
    return settings.sounds_dir / "results" / f"{result.code}-{result.language}.wav"


def rendered(settings: Settings, result: OwnResult) -> Path | None:
    """The result as 8 kHz WAV, rendered unless a file made since it was answered is there;
    None (logged) when it cannot be rendered here."""
    out = result_sound(settings, result)
    if out.exists() and out.stat().st_mtime >= result.resolved_at.timestamp():
        return out
    if missing := missing_tools():
        log.error("the result cannot be read by phone: tools missing",
                  extra={"ticket": result.code, "missing": " ".join(missing)})
        return None
    try:
        render(result.text, result.language, shared_folder(out.parent) / out.name)
    except (RenderError, OSError, subprocess.SubprocessError) as exc:
        log.error("the result cannot be read by phone", extra={"ticket": result.code, "reason": str(exc)})
        return None
    return out


def tell(visit: Visit, result: OwnResult, rendering: "Future[Path | None]") -> None:
    """Play the result (or say it cannot be read); rate a waiting one, once."""
    sound_file = rendering.result()
    if sound_file is None:
        visit.call.play(sound("result_unreadable"))
        return
    visit.call.play(sound("result_intro"))
    visit.call.play(str(sound_file.with_suffix("")))  # Asterisk takes an absolute path without extension
    log.info("result read out", extra={**visit.extra, "ticket": result.code})
    if result.waiting and in_database(visit.runtime, _mark_told, visit.runtime, result.ticket_id, visit.uniqueid):
        rate(visit, result)


def rate(visit: Visit, result: OwnResult) -> None:
    """"Press 1 to 5": the rating closes the ticket as an SMS answer does; no key, no rating."""
    try:
        score = int(choose(visit.call, "survey_ask", RATINGS))
    except TooManyFailures:
        return
    if in_database(visit.runtime, _store_rating, visit.runtime, result.ticket_id, score):
        log.info("rating taken by phone", extra={**visit.extra, "ticket": result.code, "score": score})
    visit.call.play(sound("survey_thanks"))


def _mark_told(runtime: Runtime, ticket_id: int, uniqueid: str) -> bool:
    """Record `result_told` unless a call did already; True if this one did (on the lane)."""
    with runtime.session() as session:
        return textback.mark_told(session, ticket_id, uniqueid)


def _store_rating(runtime: Runtime, ticket_id: int, score: int) -> bool:
    """The survey answer, by the survey's own rules; False if it was answered or closed (on the lane)."""
    with runtime.session() as session:
        ticket = locked_ticket(session, ticket_id)
        try:
            stored = ticket is not None and survey_answers.answer(session, ticket, score)
        except IllegalTransition:  # closed meanwhile (the survey timed out): nothing to rate
            return False
        session.commit()
        return stored
