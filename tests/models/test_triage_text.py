"""Triage reads Persian as people type it: Arabic letters, ZWNJ or not, marks, digits, suffixes, Finglish."""

import pytest

from models.persian import fold
from models.triage import triage
from models.triage.tokens import finglish, tokenize


@pytest.mark.parametrize("typed, folded", [
    ("تأمین اجتماعي", "تامین اجتماعی"),
    ("بانكِ مِلّی", "بانک ملی"),
    ("شهرداريـــها", "شهرداریها"),
    ("آموزش‌وپرورش", "اموزش وپرورش"),
    ("ﻛﺮﻣﺎﻥ", "کرمان"),
    ("مؤسسه", "موسسه"),
    ("خانهٔ", "خانه"),
    ("Tehrân ٤٥ ۱۲", "tehran 45 12"),
])
def test_fold_makes_one_spelling_of_many(typed, folded):
    assert fold(typed) == folded


@pytest.mark.parametrize("a, b", [
    ("shahrdari", "shahrdaari"), ("mantaghe", "mantaqeh"), ("tamin ejtemaee", "tamin ejtemaei"),
    ("Mashhad", "mashad"), ("Neyshabur", "nishaboor"), ("shahrdary", "shahrdari"),
])
def test_finglish_spellings_meet(a, b):
    assert [finglish(w) for w in a.split()] == [finglish(w) for w in b.split()]


def test_tokens_keep_the_words_as_typed_and_split_scripts_and_digits():
    text = "شهرداری‌ها منطقه۵، shahrdari"
    assert [(t.text, t.key) for t in tokenize(text)] == [
        ("شهرداری", "شهرداری"), ("ها", "ها"), ("منطقه", "منطقه"), ("۵", "5"), ("shahrdari", "shahrdari")]
    assert all(text[t.start:t.end] == t.text for t in tokenize(text))


@pytest.mark.parametrize("text", [
    "تامین اجتماعی ملایر مرا معطل کرد",
    "تأمین اجتماعي ملاير مرا معطل كرد",  # Arabic ي/ك and a hamza seat
    "تامینِ اجتماعیِ ملایر مرا مُعطّل کرد",  # diacritics
    "تامیـــن اجتماعی ملایر مرا معطل کرد",  # tatweel
    "تامین‌اجتماعی ملایر مرا معطل کرد",  # ZWNJ inside the phrase
    "تامیناجتماعی ملایر مرا معطل کرد",  # no space at all
    "tamin ejtemaei malayer mara moatal kard",  # Finglish
])
def test_one_complaint_in_many_spellings_reads_the_same(text):
    found = triage(text)
    assert (found.sector.value, found.province.value, found.county.value, found.category.value) == (
        "social_security", "hamadan", "Malayer", "delay")
    assert all(found.is_confident(f) for f in ("sector", "province", "county", "category"))


@pytest.mark.parametrize("text", ["کارمندهای بانک به من توهین کردند", "کارمندهای بانکها توهین کردند",
                                  "بانکی که رفتم توهین کرد", "به معلمان مدرسه توهین کرد"])
def test_suffixes_attached_or_not(text):
    found = triage(text)
    assert found.sector.value in ("banks", "education") and found.category.value == "misconduct"


def test_a_common_misspelling_is_a_near_spelling_with_less_weight():
    found = triage("صندوق بازنشتگی حقوق را نداده")  # بازنشستگی, one letter short
    assert (found.sector.value, found.sector.rule) == ("social_security", "near_spelling")
    exact = triage("صندوق بازنشستگی حقوق را نداده")
    assert exact.sector.rule == "keyword"

