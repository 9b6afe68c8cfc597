"""Persian text: digits in and out, Arabic letters, odd spaces, and Jalali dates for people."""

from __future__ import annotations

import functools
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
PUNCTUATION = " .!?؟,،;؛:«»\"'()-"
"""What may stand around a one-word text ("بله!", «۳»): stripped before the word is read."""


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


def jalali(moment: datetime, *, with_time: bool = True, digits: str = "fa") -> str:
    """A moment as a Tehran-time Jalali date ("۱۴۰۵/۰۹/۰۲ ۱۴:۳۰"), for people to read."""
    local = jdatetime.datetime.fromgregorian(datetime=moment.astimezone(TEHRAN))
    text = local.strftime("%Y/%m/%d %H:%M" if with_time else "%Y/%m/%d")
    return persian_digits(text) if digits == "fa" else text


# --- Search and triage: one normaliser for what people type and what they wrote ------------

# One letter to a reader of Persian, whatever the keyboard made of it: Arabic yeh, kaf, teh
# marbuta and heh forms, alef with hamza or madda, waw with hamza, and the tatweel (a stretch).
# (Letters written with a hamza or madda, ئ ؤ أ إ آ ۀ ۂ, need no entry: `fold` splits them
# into the letter and the mark first.)
_FOLD_LETTERS = str.maketrans({
    "ي": "ی", "ى": "ی", "ې": "ی", "ۍ": "ی", "ێ": "ی", "ے": "ی",
    "ك": "ک", "ڪ": "ک",
    "ة": "ه", "ہ": "ه", "ھ": "ه", "ە": "ه",
    "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ـ": "",
})
# The short vowels and other marks written above and below letters (harakat, the superscript
# alef, Quranic marks): most Persian text goes without them, so they are dropped.
_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_NOT_WORD = re.compile(r"[\W_]+")
# A word as written, for finding it again in the original text: letters and digits with
# the marks, the tatweel and the (non-)joiners that may sit inside it.
_WRITTEN_WORD = re.compile(r"[^\W_]+(?:[\u0640\u064b-\u065f\u0670\u200c\u200d]*[^\W_]+)*[\u064b-\u065f\u0670]*")

AFFIXES = frozenset({
    "ها", "های", "هایی", "هایم", "هایت", "هایش", "هایمان", "هایتان", "هایشان",
    "ای", "ی", "ام", "ات", "اش", "مان", "تان", "شان", "تر", "ترین", "می", "نمی",
})
"""Pieces written apart from their word (after a ZWNJ or a space): "کارمند‌ها", "می‌روم"."""
STOPWORDS = frozenset({
    "و", "در", "به", "از", "که", "این", "ان", "را", "با", "است", "برای", "یک", "تا", "هم",
    "بر", "هر", "یا", "اما", "اگر", "نه", "من", "ما", "شما", "او", "هست", "بود", "شد",
})
"""Words too common to find anything by (folded: "آن" is "ان")."""
SUFFIXES = ("هایشان", "هایتان", "هایمان", "هایی", "هایم", "هایت", "هایش", "های", "ترین",
            "ها", "تر", "ان", "ات", "ام", "اش", "مان", "تان", "شان", "ای", "ی", "ه")
"""Endings cut from a word, the longest first, one per word: plurals ("ها", "ان", "ات"),
possessives, comparatives, the indefinite or adjectival "ی", and the silent "ه" that
Arabic plurals drop ("اداره", "ادارات")."""
MIN_STEM = 3
"""Letters a word keeps at least when an ending is cut ("ها" may leave two: "راه‌ها")."""
_PLURAL = "ها"


def fold(text: str) -> str:
    """The search and triage normaliser for characters: Latin digits, one form of each
    Persian letter, no marks or tatweel, lower case, words separated by single spaces.

    ZWNJ, ZWJ and punctuation separate words here: "کارمند‌ها" and "کارمند ها" fold alike
    (`terms` then drops the detached ending).
    """
    # Presentation forms ("ﻻ", "ﮐ") to letters, and every mark apart from its letter (أ is
    # ا with a hamza, â is a with a circumflex): then the marks are dropped.
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    text = latin_digits(text).translate(_FOLD_LETTERS)
    text = _MARKS.sub("", text)
    return " ".join(_NOT_WORD.sub(" ", text).lower().split())


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A folded word without its ending (one of SUFFIXES), if what is left is long enough.
    Remembered: every complaint's words are stemmed for triage and for search, from a
    vocabulary far smaller than the cache."""
    for suffix in SUFFIXES:
        least = 2 if suffix.startswith(_PLURAL) else MIN_STEM
        if word.endswith(suffix) and len(word) - len(suffix) >= least:
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    """The search and triage normaliser for words: the folded words of `text`, each
    stemmed, without detached endings, stop words and single letters. The same function
    reads a complaint and the words typed to find it."""
    words = [w for w in fold(text).split() if len(w) > 1 and w not in AFFIXES and w not in STOPWORDS]
    return [stem(w) if _is_persian(w) else w for w in words]


def written_words(text: str) -> list[tuple[int, int]]:
    """Where each word of `text` as written begins and ends (ZWNJ, marks and tatweel
    inside it included), for marking words found by their `terms`."""
    return [m.span() for m in _WRITTEN_WORD.finditer(text)]


def _is_persian(word: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in word)
