"""Menus: a key from a list, with `*` to hear it again and a polite end after three failures."""

from __future__ import annotations

from typing import Collection

from ivr.control import CallControl
from ivr.prompts import sound

MENU_TIMEOUT_MS = 5000
"""How long a menu waits for a key after its prompt ends."""
MAX_FAILURES = 3
"""Wrong keys or silences before the call ends with a goodbye."""
MAX_REPEATS = 5
"""`*` replays a menu this often before it counts as a failure (no endless loops)."""


class TooManyFailures(Exception):
    """The caller gave no usable answer three times: time for a polite goodbye."""


def choose(call: CallControl, prompt_id: str, keys: Collection[str]) -> str:
    """Play a menu until one of `keys` is pressed; a wrong key or silence replays it."""
    failures = repeats = 0
    while True:
        key = call.collect_digits(sound(prompt_id), 1, MENU_TIMEOUT_MS)
        if key and key in keys:
            return key
        if key == "*" and repeats < MAX_REPEATS:
            repeats += 1
            continue
        failures += 1
        if failures >= MAX_FAILURES:
            raise TooManyFailures(prompt_id)
        call.play(sound("invalid_choice" if key else "no_choice"))


def say_goodbye(call: CallControl, prompt_id: str) -> None:
    """Play a last prompt and hang up."""
    call.play(sound(prompt_id))
    call.hangup()
