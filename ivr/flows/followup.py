"""Following up a complaint: key its code, hear its status, its agency and how long ago or
how long left; the complainant also hears the result (`ivr.flows.results`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from ivr.flows import results
from ivr.flows.menus import MAX_FAILURES, TooManyFailures, say_goodbye
from ivr.prompts import BIGGEST_NUMBER, agency_prompt_id, sound
from ivr.sessions import in_database
from ivr.visit import Step, Visit
from models import textback, tracking
from models.base import utcnow
from models.errors import InvalidCode, TicketNotFound
from models.lookup import PublicStatus, find_by_code, public_status
from models.phones import Caller
from models.runtime import Runtime
from models.textback import OwnResult

CODE_TIMEOUT_MS = 10000
"""Time to start keying a ten-digit code."""
WRONG_CODES = 2
"""A wrong code gets "not valid" and one more try."""
HOURS_UNTIL_DAYS = 48
"""From this many hours on, a duration is told in days."""


def answer(visit: Visit) -> None:
    """Ask for the code, then tell what a holder of the code may know, and the complainant
    the result (rendered while the status plays)."""
    visit.reach(Step.FOLLOW_UP)
    found = ask_code(visit)
    if found is not None:
        status, agency, own = found
        with ThreadPoolExecutor(1, thread_name_prefix="foad-result") as renderer:
            rendering = renderer.submit(results.rendered, visit.runtime.settings, own) if own else None
            tell(visit, status, agency)
            visit.reach(Step.FOLLOWED_UP)
            if own is not None:
                results.tell(visit, own, rendering)
    say_goodbye(visit.call, "goodbye")


def ask_code(visit: Visit) -> tuple[PublicStatus, str | None, OwnResult | None] | None:
    """The status and agency code of the ticket keyed in, and its result if the caller is
    its complainant; None after two wrong codes."""
    wrong = silent = 0
    while wrong < WRONG_CODES:
        typed = visit.call.collect_digits(sound("code_ask"), tracking.LENGTH, CODE_TIMEOUT_MS)
        if not typed:
            silent += 1
            if silent >= MAX_FAILURES:
                raise TooManyFailures("code_ask")
            visit.call.play(sound("no_choice"))
            continue
        try:
            return in_database(visit.runtime, _look_up, visit.runtime, typed, visit.caller)
        except InvalidCode:
            visit.call.play(sound("code_invalid"))
        except TicketNotFound:
            visit.call.play(sound("code_not_found"))
        wrong += 1
    return None


def _look_up(runtime: Runtime, typed: str, caller: Caller) -> tuple[PublicStatus, str | None, OwnResult | None]:
    with runtime.session() as session:
        ticket = find_by_code(session, typed)
        agency = ticket.agency.code if ticket.agency else None
        return public_status(session, ticket.code), agency, textback.own_result(session, ticket, caller)


def tell(visit: Visit, status: PublicStatus, agency: str | None) -> None:
    """The status, the agency, and the time since the last step (or left to answer)."""
    call = visit.call
    call.play(sound(f"status_{status.status.value}"))
    if agency is not None:
        call.play(sound("agency_intro"))
        call.play(sound(agency_prompt_id(agency)))
    if status.remaining is None:
        call.play(sound("last_step"))
        say_amount(visit, utcnow() - status.last_step_at, "ago")
    elif status.remaining > timedelta(0):
        call.play(sound("time_left"))
        say_amount(visit, status.remaining, "left")
    else:
        call.play(sound("deadline_passed"))


def say_amount(visit: Visit, amount: timedelta, kind: str) -> None:
    """"25 minutes ago", "2 hours left": a number, then its unit."""
    number, unit = spoken(amount)
    visit.call.play(sound(f"number_{number}"))
    visit.call.play(sound(f"{unit}_{kind}" + ("_1" if number == 1 else "")))


def spoken(amount: timedelta) -> tuple[int, str]:
    """A duration as a caller wants to hear it: minutes up to 99, hours up to two days, then
    days (at most 99)."""
    minutes = max(1, int(amount.total_seconds() // 60))
    if minutes <= BIGGEST_NUMBER:
        return minutes, "minutes"
    hours = minutes // 60
    if hours < HOURS_UNTIL_DAYS:
        return hours, "hours"
    return min(hours // 24, BIGGEST_NUMBER), "days"
