"""Tracking codes: 10 keypad digits, random, the last a Damm check digit.

The Damm check digit catches every single mistyped digit and every swap of two neighbours,
so a code read over the phone and keyed back is either right or rejected.
"""

from __future__ import annotations

import re
import secrets

from models.errors import InvalidCode
from models.persian import latin_digits, persian_digits

LENGTH = 10
_LOWEST_BODY = 10 ** (LENGTH - 2)
"""The smallest body, the code without its check digit."""

# The Damm quasigroup of order 10 (weakly totally anti-symmetric).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

# Spaces, dashes, dots, and the invisible marks a phone may copy along with the code.
_SEPARATORS = re.compile(r"[\s\-_.\u200c\u200e\u200f\u2066-\u2069\u00a0/]+")


def check_digit(digits: str) -> str:
    """The Damm check digit of a string of digits."""
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][int(ch)]
    return str(interim)


def is_valid(code: str) -> bool:
    """True for ten Latin digits, not starting with 0, whose check digit is right."""
    return (
        len(code) == LENGTH and code.isascii() and code.isdigit() and code[0] != "0"
        and check_digit(code) == "0"
    )


def _looks_patterned(body: str) -> bool:
    """Codes people could guess or mistake: one digit thrice running, or a run of four."""
    if re.search(r"(\d)\1\1", body):
        return True
    steps = [int(b) - int(a) for a, b in zip(body, body[1:])]
    return any(steps[i] == steps[i + 1] == steps[i + 2] in (1, -1) for i in range(len(steps) - 2))


def new_code() -> str:
    """A fresh random code (uniqueness is the database's unique constraint's job)."""
    while True:
        # One draw for the whole body (its first digit never 0): a draw costs a system call.
        body = str(_LOWEST_BODY + secrets.randbelow(9 * _LOWEST_BODY))
        if not _looks_patterned(body):
            return body + check_digit(body)


def parse(text: str) -> str:
    """The code in what a person typed or texted: any digits, spaces and dashes ignored.

    Raises InvalidCode saying why when it is not a valid code.
    """
    digits = _SEPARATORS.sub("", latin_digits(text.strip()))
    if not digits.isascii() or not digits.isdigit():
        raise InvalidCode("a tracking code has only digits")
    if len(digits) != LENGTH:
        raise InvalidCode(f"a tracking code has {LENGTH} digits, not {len(digits)}")
    if not is_valid(digits):
        raise InvalidCode("the check digit does not match")
    return digits


def spaced(code: str) -> str:
    """The code grouped 3-3-4 with Latin digits ("482-193-0576")."""
    return f"{code[:3]}-{code[3:6]}-{code[6:]}"


LRM = "\u200e"
"""Left-to-right mark. After Persian letters, Persian digits count as Arabic numbers, whose
dashes do not bind them: a phone would show "۰۵۷۶-۱۹۳-۴۸۲". A mark before the code keeps the
groups in their order."""


def for_reading(code: str) -> str:
    """The code grouped 3-3-4 in Persian digits, for texts to citizens, shown in its order
    inside right-to-left text."""
    return LRM + persian_digits(spaced(code))
