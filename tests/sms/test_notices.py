"""Every text in the catalog fits in two SMS segments, whatever goes into it; the encoding
(GSM-7 or UCS-2) follows from the characters."""

import re
import string
from datetime import timedelta

import pytest

from models import notices
from models.agencies import SECTORS
from models.base import utcnow
from models.categories import CATEGORIES
from models.lookup import STATUS_LABELS
from models.persian import jalali
from models.routing import console_link
from models.sectors import OTHER_KEY

LONGEST_CODE = "9999999999"
LONG_NAME = {"fa": "ادارهٔ کل امور شهری و روستایی " * 12, "en": "Directorate-General of Affairs " * 12}
"""Longer than any agency name the directory holds (200 characters at most)."""
LINK = console_link("https://128.arao.ir", LONGEST_CODE)
FITTED = {"sms_status": "agency", "sms_status_yours": "agency", "official_moved": "agency",
          "referral": "summary", "escalation": "summary", "reopened": "summary"}
"""Texts rendered with notices.fit, and the value it cuts (as sms/replies.py and
models/routing.py render them): for these the worst case is a value of any length."""


def worst(language: str, label: int) -> dict[str, object]:
    """The longest value each placeholder can take; a new placeholder needs its worst case here."""
    return {"status": max((labels[label - 1] for labels in STATUS_LABELS.values()), key=len),
            "agency": LONG_NAME[language], "time": notices.moment(utcnow(), language),
            "left": notices.duration(timedelta(hours=999, minutes=59), language),
            "hours": 999, "minutes": 59, "score": 5,
            "category": max((c[label] for c in CATEGORIES), key=len),
            "summary": LONG_NAME[language] + " 🙁" * 40,
            # {result} is the official's own answer, texted whole (up to ten segments): what
            # must fit is the frame around it. {link} is Latin, as URLs are.
            "result": "", "link": LINK, "due": jalali(utcnow()), "otp": "999999",
            # {question} is a console user's own words, refused when the text would not fit
            # in two segments (models.asking): what must fit is the frame around it.
            "question": "",
            # The service menu on every key the seeded sectors have, and the longer question.
            "menu": notices.sector_menu(MENU, language), "ask": max(
                (notices.render(key, language, menu=notices.sector_menu(MENU, language))
                 for key in ("question_sector", "question_province")), key=len)}


MENU = {**{str(key): code for code, _fa, _en, key in SECTORS if key is not None}, OTHER_KEY: None}
"""The sector menu as the migrations seed it (models.sectors.sector_keys reads it from there)."""
WORST = {"fa": worst("fa", 1), "en": worst("en", 2)}


def placeholders(key: str) -> set[str]:
    return {name for text in notices._TEXTS[key].values()
            for _, name, _, _ in string.Formatter().parse(text) if name}


def rendered(key: str, language: str, **values: object) -> str:
    """The text as its sender renders it."""
    if key in FITTED:
        return notices.fit(key, language, FITTED[key], code=LONGEST_CODE, **values)
    return notices.render(key, language, code=LONGEST_CODE, **values)


@pytest.mark.parametrize("key", sorted(notices._TEXTS))
@pytest.mark.parametrize("language", ["fa", "en"])
def test_every_text_fits_in_two_segments(key, language):
    unknown = placeholders(key) - set(WORST[language]) - {"code"}
    assert not unknown, f"give {sorted(unknown)} a worst case in WORST"
    text = rendered(key, language, **WORST[language])
    assert notices.segments(text) <= 2, text
    if language == "fa":
        assert len(text) <= 134 and not re.search("[0-9]", text.replace(LINK, ""))  # Persian digits only


@pytest.mark.parametrize("key", sorted(FITTED))
def test_an_english_text_naming_an_agency_in_persian_is_ucs2_and_still_fits(key):
    values = {**WORST["en"], "agency": LONG_NAME["fa"], "summary": LONG_NAME["fa"]}
    text = rendered(key, "en", **values)
    assert not notices.gsm7(text) and notices.segments(text) <= 2, text
    assert "ادارهٔ" in text and "…" in text


def test_an_english_text_gsm7_can_carry_gets_its_two_longer_segments():
    name = "Directorate-General of Tehran Province Affairs and Services "  # 60 characters
    values = dict(code=LONGEST_CODE, status="referred to the agency", left="2 h 5 min")
    whole = notices.fit("sms_status_yours", "en", "agency", agency=name * 2, **values)
    assert notices.gsm7(whole) and len(whole) > 134 and (name * 2).strip() in whole
    cut = notices.fit("sms_status_yours", "en", "agency", agency=name * 9, **values)
    assert notices.gsm7(cut) and "...." in cut and notices.segments(cut) == 2 and len(cut) > 280


def test_fit_counts_an_emoji_as_the_two_units_it_takes():
    text = notices.fit("referral", "fa", "summary", code=LONGEST_CODE, category="x",
                       summary="🙁" * 200, link="")
    assert text.endswith("…") and len(text.encode("utf-16-le")) // 2 == notices.LIMIT
    assert notices.segments(text) == 2


@pytest.mark.parametrize("text,count", [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3), ("{" * 80, 1), ("{" * 81, 2),
    ("€" * 153, 2), ("€" * 154, 3), ("س" * 70, 1), ("س" * 71, 2), ("س" * 134, 2), ("س" * 135, 3),
    ("a" * 69 + "😀", 2), ("😀" * 35, 1), ("a" * 159 + "…", 3), ("Agency: " + "a" * 57 + " بانک", 1), ("Agency: " + "a" * 58 + " بانک", 2),
])
def test_segments_count_gsm7_and_ucs2_as_phones_do(text, count):
    assert notices.segments(text) == count


@pytest.mark.parametrize("text,gsm", [("Complaint 482-193-0576: referred. [x] {y} ~€", True),
                                      ("Agency: بانک ملی", False), ("a…", False), ("۱۲۸", False),
                                      ("\u200e482", False), ("Tracking code: 482-193-0576", True)])
def test_the_encoding_follows_from_the_characters(text, gsm):
    assert notices.gsm7(text) is gsm


def test_clip_keeps_short_names_and_cuts_long_ones():
    assert notices.clip("بانک ملی", 40) == "بانک ملی"
    assert notices.clip("x" * 50, 40) == "x" * 39 + "…"
