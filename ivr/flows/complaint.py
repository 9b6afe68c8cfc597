"""A new complaint: the service, what went wrong, the province, the recording, the ticket."""

from __future__ import annotations

import logging

from ivr.control import Ending, Hangup, Recording
from ivr.flows.menus import MAX_FAILURES, MENU_TIMEOUT_MS, TooManyFailures, choose, say_goodbye
from ivr.lines import OVERSEAS
from ivr.prompts import sound
from ivr.sessions import in_database
from ivr.visit import Step, Visit, usable
from models.errors import Blocked, DomainError, TooManyComplaints
from models.intake import Opened
from models.provinces import by_area_code

log = logging.getLogger(__name__)

MAX_RECORDING_S = 180
"""The longest description a caller may record."""
SILENCE_S = 5
"""Seconds of silence that end a recording."""
MAX_TAKES = 5
"""Recording again this often submits the last take (no endless loop)."""


class CannotRecord(Exception):
    """Asterisk could not write the recording (a full disk, a wrong directory)."""


def take(visit: Visit) -> None:
    """Ask what the complaint is about, record it, let the caller review it, open the ticket."""
    visit.reach(Step.SECTOR)
    visit.sector = visit.sectors[choose(visit.call, "sector_menu", visit.sectors)]
    visit.reach(Step.CATEGORY)
    visit.category = visit.categories[choose(visit.call, "category_menu", visit.categories)]
    ask_province(visit)
    try:
        for _ in range(MAX_TAKES):
            record(visit)
            if review(visit) == "1":
                break
    except CannotRecord:
        return say_goodbye(visit.call, "sorry_technical")
    submit(visit)


def ask_province(visit: Visit) -> None:
    """An Iranian landline's area code says it; callers from abroad skip it; others key it,
    and only a province with agencies in the directory is taken (0: "I do not know")."""
    if visit.line == OVERSEAS or visit.caller.abroad:
        return
    if visit.caller.province is not None:
        visit.province = visit.caller.province.code
        return
    visit.reach(Step.PROVINCE)
    for _ in range(MAX_FAILURES):
        typed = visit.call.collect_digits(sound("province_ask"), 2, MENU_TIMEOUT_MS)
        if typed == "0":  # "I do not know": the working group finds out
            return
        province = by_area_code(typed) if len(typed) == 2 else None
        if province is not None and province.code in visit.provinces:
            visit.province = province.code
            return
        visit.call.play(sound("province_invalid" if typed else "no_choice"))
    raise TooManyFailures("province_ask")


def record(visit: Visit) -> Recording:
    """Beep and record until #, silence or three minutes; ask again if nothing was said."""
    for _ in range(MAX_FAILURES):
        visit.reach(Step.RECORDING)
        visit.call.play(sound("record_instructions"))
        recording = visit.call.record(visit.next_take_name(), max_s=MAX_RECORDING_S, silence_s=SILENCE_S)
        visit.keep(recording)
        if recording.ending is Ending.HANGUP:
            raise Hangup("hung up while recording")  # the take is kept: see save_on_hangup
        if recording.ending is Ending.FAILED:
            raise CannotRecord(recording.name)
        if usable(recording):
            return recording
        visit.call.play(sound("nothing_heard"))
    raise TooManyFailures("record_instructions")


def review(visit: Visit) -> str:
    """1 submit, 2 listen (a key pressed while listening counts), 3 record again."""
    visit.reach(Step.REVIEW)
    while True:
        key = choose(visit.call, "review_menu", "123")
        if key == "2":
            key = visit.call.play(visit.takes[-1].name, keys="13")
        if key in ("1", "3"):
            return key


def submit(visit: Visit) -> None:
    """Open the ticket while the caller hears "thank you", then read its code out twice."""
    ticket = visit.start_ticket()
    visit.call.play(sound("submitting"))  # no silence on the line while the database works
    try:
        opened = ticket.result()
    except Blocked:
        return say_goodbye(visit.call, "blocked_notice")
    except TooManyComplaints:
        return say_goodbye(visit.call, "too_many")
    log.info("complaint taken by phone", extra=visit.extra)
    visit.call.set_variable("CDR(userfield)", opened.ticket.code)
    read_code(visit, opened)


def read_code(visit: Visit, opened: Opened) -> None:
    """The tracking code digit by digit, twice; mobiles and foreign numbers also get it by SMS."""
    call, code = visit.call, opened.ticket.code
    call.play(sound("ticket_registered"))
    call.say_digits(code)
    call.play(sound("code_repeat"))
    call.say_digits(code)
    if opened.code_texted:
        call.play(sound("code_by_sms"))
    say_goodbye(call, "goodbye")


def save_on_hangup(visit: Visit) -> None:
    """Nothing is lost: a call that ends with a usable take and no ticket opens one quietly."""
    if visit.ticket_code is not None or visit.refused is not None or visit.best_take is None:
        return
    try:
        in_database(visit.runtime, visit.open_ticket, None)
    except DomainError as exc:
        log.warning("recording kept on the call, no ticket", extra={**visit.extra, "reason": str(exc)})
        return
    log.info("ticket opened from a call that ended before submitting", extra=visit.extra)
