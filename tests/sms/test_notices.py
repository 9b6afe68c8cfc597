"""Every text in the catalog fits in two SMS segments, whatever goes into it."""

import re
import string
from datetime import timedelta

import pytest

from models import notices
from models.base import utcnow
from models.lookup import STATUS_LABELS
from sms.replies import AGENCY_CHARS

LONGEST_CODE = "9999999999"
WORST: dict[str, dict[str, object]] = {
    "fa": {"status": max((fa for fa, _ in STATUS_LABELS.values()), key=len),
           "agency": notices.clip("ادارهٔ کل " * 20, AGENCY_CHARS),
           "time": notices.moment(utcnow(), "fa"),
           "left": notices.duration(timedelta(hours=99, minutes=59), "fa"),
           "hours": 99, "minutes": 59, "score": 5},
    "en": {"status": max((en for _, en in STATUS_LABELS.values()), key=len),
           "agency": notices.clip("Directorate-General " * 20, AGENCY_CHARS),
           "time": notices.moment(utcnow(), "en"),
           "left": notices.duration(timedelta(hours=99, minutes=59), "en"),
           "hours": 99, "minutes": 59, "score": 5},
}
"""The longest value each placeholder can take; a new placeholder needs its worst case here."""


def placeholders(key: str) -> set[str]:
    return {name for text in notices._TEXTS[key].values()
            for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(notices._TEXTS))
@pytest.mark.parametrize("language", ["fa", "en"])
def test_every_text_fits_in_two_segments(key, language):
    unknown = placeholders(key) - set(WORST[language]) - {"code"}
    assert not unknown, f"give {sorted(unknown)} a worst case in WORST"
    text = notices.render(key, language, code=LONGEST_CODE, **WORST[language])
    assert notices.segments(text) <= 2, text
    if language == "fa":
        assert len(text) <= 134 and not re.search("[0-9]", text)  # Persian digits only


@pytest.mark.parametrize("text,count", [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3), ("{" * 80, 1), ("{" * 81, 2),
    ("س" * 70, 1), ("س" * 71, 2), ("س" * 134, 2), ("س" * 135, 3), ("a" * 69 + "😀", 2),
])
def test_segments_count_gsm7_and_ucs2_as_phones_do(text, count):
    assert notices.segments(text) == count


def test_clip_keeps_short_names_and_cuts_long_ones():
    assert notices.clip("بانک ملی", 40) == "بانک ملی"
    assert notices.clip("x" * 50, 40) == "x" * 39 + "…"
