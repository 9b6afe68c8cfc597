"""Persian text: digits in and out, Arabic letters, odd spaces, and Jalali dates for people."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

import jdatetime

TEHRAN = ZoneInfo("Asia/Tehran")

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"

_TO_LATIN = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, "0123456789" * 2)
_TO_PERSIAN = str.maketrans("0123456789", PERSIAN_DIGITS)
_ARABIC_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "هٔ"})
# ZWNJ, ZWJ, LRM/RLM, the bidi embeddings and isolates, the BOM: invisible to a reader.
_INVISIBLE = re.compile("[\u200c\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
# After compatibility decomposition: tatweel goes, and the Arabic letter ae (left of ۀ) is a he.
_FOLD = str.maketrans({"\u0640": None, "\u06d5": "ه"})


def latin_digits(text: str) -> str:
    """Persian and Arabic-Indic digits turned into 0-9; everything else untouched."""
    return text.translate(_TO_LATIN)


def persian_digits(text: object) -> str:
    """0-9 in `text` turned into Persian digits, for texts a person reads."""
    return str(text).translate(_TO_PERSIAN)


def persian_decimal(value: float, places: int = 1) -> str:
    """A number with `places` decimals as a Persian reader writes it: "۳٫۵" (U+066B, not ".")."""
    return persian_digits(f"{value:.{places}f}").replace(".", "\u066b")


def normalize(text: str) -> str:
    """Text ready for parsing: Latin digits, Persian ی/ک, no invisible marks, single spaces.

    ZWNJ becomes a space so "پی‌گیری" and "پی گیری" read the same.
    """
    text = latin_digits(text).translate(_ARABIC_LETTERS)
    text = text.replace("\u200c", " ")
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """Text as triage compares words: `normalize`d, with no diacritics, tatweel or hamza
    seats (أ إ آ → ا, ؤ → و, ئ → ی), Arabic presentation forms as plain letters, lower case."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return normalize(bare.translate(_FOLD)).lower()


def jalali(moment: datetime, *, with_time: bool = True, digits: str = "fa") -> str:
    """A moment as a Tehran-time Jalali date ("۱۴۰۵/۰۹/۰۲ ۱۴:۳۰"), for people to read."""
    local = jdatetime.datetime.fromgregorian(datetime=moment.astimezone(TEHRAN))
    text = local.strftime("%Y/%m/%d %H:%M" if with_time else "%Y/%m/%d")
    return persian_digits(text) if digits == "fa" else text
