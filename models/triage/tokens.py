"""A complaint's words: where each stands in the text as typed, and the key it is compared by."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from models.persian import fold

_DIGITS = "[0-9\u0660-\u0669\u06f0-\u06f9]+"
# Arabic-script letters with their marks and tatweel, presentation forms included; not the
# Arabic-Indic and Persian digits (U+0660-0669, U+06F0-06F9), nor ، ؛ ؟ ٪ ٫ ٬ ۔.
_ARABIC = "[\u0621-\u065f\u066e-\u06d3\u06d5-\u06ef\u06fa-\u06ff\ufb50-\ufdff\ufe70-\ufefc]+"
_LATIN = "[A-Za-z\u00c0-\u024f](?:['\u2019]?[A-Za-z\u00c0-\u024f])*"
_WORD = re.compile(f"{_DIGITS}|{_ARABIC}|{_LATIN}")
_LATIN_RUN = re.compile(_LATIN)
# Finglish as people spell it: one key for "shahrdaari"/"shahrdari", "tamin ejtemaee"/"ejtemaei",
# "mantaqe"/"mantagheh", "Mashhad"/"mashad", "Neyshabur"/"Nishabur".
_FINGLISH = (("'", ""), ("\u2019", ""), ("q", "gh"), ("w", "v"), ("x", "kh"), ("ee", "i"),
             ("oo", "u"), ("ou", "u"), ("ei", "i"), ("ey", "i"), ("iy", "i"))
_REPEATS = re.compile(r"(.)\1+")


@dataclass(frozen=True)
class Token:
    """One word of a text: its characters as typed, their place, and its comparison key."""

    text: str
    start: int
    end: int
    key: str
    latin: bool


def tokenize(text: str) -> list[Token]:
    """The words of `text`; spaces, ZWNJ and punctuation separate them, as do script changes."""
    tokens = []
    for match in _WORD.finditer(text):
        key = word_key(match.group())
        if key:
            latin = bool(_LATIN_RUN.fullmatch(match.group()))
            tokens.append(Token(match.group(), match.start(), match.end(), key, latin))
    return tokens


@lru_cache(maxsize=1 << 16)  # directory names repeat their words thousands of times
def word_key(word: str) -> str:
    """The key one word is compared by: folded Persian, Latin digits, or folded Finglish."""
    if _LATIN_RUN.fullmatch(word):
        return finglish(word)
    return fold(word).replace(" ", "")


def finglish(word: str) -> str:
    """A Latin-script word folded so that the common spellings of one Persian word meet."""
    key = fold(word)
    for old, new in _FINGLISH:
        key = key.replace(old, new)
    key = _REPEATS.sub(r"\1", key)
    if len(key) > 3 and key.endswith("eh"):
        key = key[:-1]
    if len(key) > 3 and key.endswith("y"):
        key = key[:-1] + "i"
    return key


def phrase_keys(phrase: str) -> tuple[str, ...]:
    """The keys of a phrase from the data files, word by word."""
    return tuple(t.key for t in tokenize(phrase))
