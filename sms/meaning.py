"""What an inbound text says, read before anything is looked up: a command, a code, a score
or words. Persian and Arabic keyboards, digits and invisible marks read the same."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from models.persian import PUNCTUATION, latin_digits, normalize

TWILIO_STOP = frozenset({"stop", "stopall", "unsubscribe", "end", "quit", "revoke", "optout", "cancel"})
"""Twilio acts on these itself (and answers them): our reply would be refused."""
TWILIO_START = frozenset({"start", "yes", "unstop"})
STOP = TWILIO_STOP | {"لغو", "توقف"}
START = TWILIO_START | {"شروع"}
HELP = frozenset({"help", "info", "راهنما", "کمک"})
STATUS_WORDS = ("کد پیگیری", "پیگیری", "پی گیری", "وضعیت", "کد", "tracking code", "status",
                "track", "code")
"""Words that may stand before a tracking code (normalized: پی‌گیری reads as پی گیری)."""
ACKNOWLEDGE = frozenset({"ok", "okay", "تایید", "تأیید", "اوکی", "باشه", "دریافت شد"})
"""What an official writes after a code to say "seen"."""

_STATUS = re.compile(
    r"(?:(?:" + "|".join(map(re.escape, STATUS_WORDS)) + r")\s*[:#]?\s*)?"
    r"(?P<digits>[0-9](?:[\s\-_./]*[0-9])+)", re.IGNORECASE)
_OFFICIAL = re.compile(r"[\s\u200c-\u200f\u202a-\u202e\u2066-\u2069\ufeff]*"
                       r"(?P<code>[0-9](?:[ \-]?[0-9]){9})(?![0-9])(?P<rest>.*)", re.DOTALL)
# A letter of the Arabic script: in its blocks, a word character, and not a digit.
_PERSIAN_LETTER = re.compile(r"(?![\d_])[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff](?<=\w)")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
CODE_MIN_DIGITS = 9
"""A digits-only text this long is a tracking code (maybe mistyped), not a complaint."""


class Kind(StrEnum):
    """The kinds of inbound text, in the order their rules are tried."""

    STOP = "stop"  # stop texting me
    START = "start"  # text me again
    HELP = "help"  # what can I text?
    STATUS = "status"  # a tracking code: where is my complaint?
    SCORE = "score"  # a lone 1-5: maybe the answer to a survey
    TEXT = "text"  # words: a complaint, or more of one


@dataclass(frozen=True)
class Meaning:
    """What a text says."""

    kind: Kind
    language: str | None
    """"fa" for Persian script, "en" for Latin, None when the text shows neither."""
    code: str | None = None
    """STATUS: the digits typed (a valid code or not)."""
    score: int | None = None
    twilio_keyword: bool = False
    """STOP or START in a word Twilio itself acts on and answers."""


@dataclass(frozen=True)
class OfficialAnswer:
    """An official's `<code> ok` (result None) or `<code> <result text>`."""

    code: str
    result: str | None


def language_of(text: str) -> str | None:
    """"fa" when any Persian or Arabic letter is there, else "en" for Latin letters."""
    if _PERSIAN_LETTER.search(text):
        return "fa"
    return "en" if _LATIN_LETTER.search(text) else None


def read(text: str, has_media: bool = False) -> Meaning:
    """The meaning of an inbound text; first match wins, as in the README's list."""
    clean = normalize(text)
    word = clean.strip(PUNCTUATION).lower()
    language = language_of(clean)
    if word in STOP or word in START:
        kind = Kind.STOP if word in STOP else Kind.START
        return Meaning(kind, language, twilio_keyword=word in TWILIO_STOP | TWILIO_START)
    if word in HELP or word in STATUS_WORDS or not (word or has_media):
        return Meaning(Kind.HELP, language)
    code = _code(word)
    if code is not None:
        return Meaning(Kind.STATUS, language, code=code)
    if re.fullmatch("[1-5]", word):
        return Meaning(Kind.SCORE, language, score=int(word))
    return Meaning(Kind.TEXT, language)


def _code(word: str) -> str | None:
    match = _STATUS.fullmatch(word)
    if match is None:
        return None
    digits = re.sub("[^0-9]", "", match["digits"])
    return digits if len(digits) >= CODE_MIN_DIGITS else None


def read_official(text: str) -> OfficialAnswer | None:
    """An official's answer, or None when the text is not one; the result keeps the
    official's own characters (only the code's digits are read through)."""
    # latin_digits keeps every character in place, so positions hold in the original.
    match = _OFFICIAL.match(latin_digits(text))
    if match is None:
        return None
    code = re.sub("[^0-9]", "", match["code"])
    rest = text[match.start("rest"):].strip().lstrip(":-–—،,").strip()
    if not rest:
        return None
    if normalize(rest).strip(PUNCTUATION).lower() in ACKNOWLEDGE:
        return OfficialAnswer(code, None)
    return OfficialAnswer(code, rest)
