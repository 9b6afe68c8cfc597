"""Triage's rules: never a guessed province, evidence in the citizen's words, deterministic,
unsure when the text is, agencies named and placed."""

import csv
import random
from dataclasses import fields

import pytest

from models.directory import SAMPLE
from models.phones import identify
from models.triage import FIELDS, THRESHOLD, DirectoryIndex, Known, triage
from models.triage.votes import Suggestion

with open(SAMPLE, newline="", encoding="utf-8") as _handle:
    SAMPLE_ROWS = list(csv.DictReader(_handle))


@pytest.fixture(scope="module")
def sample() -> DirectoryIndex:
    return DirectoryIndex.from_rows(SAMPLE_ROWS)


@pytest.mark.parametrize("text", [
    "کارمند بانک به من توهین کرد",
    "آقای شیرازی و خانم اصفهانی در اداره به من بی‌احترامی کردند",  # surnames from places
    "بهار امسال درخواست دادم و از ماه مهر منتظرم",  # Bahar and Mohr counties are also words
    "شعبه خیابان قزوین بانک ملت کارت مرا نمی‌دهد",  # a street named after a province
    "خودپرداز بانک پاسارگاد خراب است",  # a bank named after a county
    "بانک مرکزی جواب نمی‌دهد",  # Markazi province is also "central"
    "درود بر شما، دیر آمدند و زود رفتند",  # Dorud, Deyr
    "هوا گرمه و کولر اداره خرابه",  # Garmeh, and "it is hot"
    "The doctor was rude to my mother",
])
def test_no_province_is_guessed_when_the_text_names_none(text, sample):
    found = triage(text, Known(), sample)
    assert found.province.value is None and found.county.value is None
    assert found.province.rule == "none"


@pytest.mark.parametrize("text, province, county", [
    ("برق شهر بهار قطع است", "hamadan", "Bahar"),
    ("مالیات استان مرکزی دو برابر شده", "markazi", None),
    ("شهرداری شهریار پروانه نمی‌دهد", "tehran", "Shahriar"),
    ("ممیز مالیاتی در کیش رشوه خواست", "hormozgan", "Bandar Lengeh"),
])
def test_a_name_that_is_also_a_word_counts_after_a_cue(text, province, county):
    found = triage(text)
    assert (found.province.value, found.county.value) == (province, county)


def test_a_province_name_is_not_its_capital_county_without_a_city_cue():
    assert triage("صندوق بازنشستگی اصفهان جواب نمی‌دهد").county.value is None
    city = triage("صندوق بازنشستگی شهر اصفهان جواب نمی‌دهد")
    assert (city.province.value, city.county.value) == ("isfahan", "Isfahan")


def test_the_landline_province_decides_only_when_the_text_names_none():
    alone = triage("کارمند بانک به من توهین کرد", Known(province="hamadan"))
    assert (alone.province.value, alone.province.rule, alone.province.evidence) == ("hamadan", "landline", ())
    assert alone.is_confident("province")
    named = triage("کارمند بانک در شیراز به من توهین کرد", Known(province="hamadan"))
    assert (named.province.value, named.province.rule) == ("fars", "gazetteer")
    assert named.is_confident("province") and named.province.confidence < 1


def test_evidence_is_the_citizens_own_words(sample):
    text = "بانك ملي شعبه ملاير كارمندش بي‌احترامي كرد"
    found = triage(text, Known(), sample)
    assert found.category.evidence == ("بي‌احترامي",)
    assert found.province.evidence == ("ملاير",) and found.province.rule == "gazetteer"
    assert "بانك ملي" in found.agency.evidence
    for field in FIELDS:
        assert all(words in text for words in found.get(field).evidence)


def test_two_services_named_alike_are_unsure_and_say_so():
    found = triage("اول رفتم بانک گفتند برو شهرداری، شهرداری گفت برو بانک")
    assert found.sector.confidence == 0.5 and not found.is_confident("sector")
    assert found.sector.value == "banks"  # named first


def test_two_provinces_are_unsure():
    found = triage("از تبریز آمدم ولی بانک ملت در تهران حسابم را بسته")
    assert not found.is_confident("province") and found.province.value is not None


def test_a_lone_weak_word_is_not_enough():
    found = triage("قسط وام را دادم")
    assert found.sector.value == "banks" and found.sector.confidence < THRESHOLD


def test_an_empty_text_suggests_nothing():
    found = triage("", Known(), None)
    assert all(found.get(f).value is None and f not in found.confident() for f in FIELDS)


def test_a_named_agency_moves_down_to_its_unit_for_the_place(sample):
    found = triage("تامین اجتماعی ملایر سه ساعت معطلم کردند", Known(), sample)
    assert (found.agency.value, found.agency.rule) == ("SSO-HAM-MALAYER", "agency_name+place")
    province_only = triage("بانک ملی همدان کارمند نداشت", Known(), sample)
    assert province_only.agency.value == "BMI-HAM"
    nowhere = triage("بانک ملی کارمند نداشت", Known(), sample)
    assert (nowhere.agency.value, nowhere.agency.rule) == ("BMI", "agency_name")


def test_a_named_body_is_not_moved_to_another_body_below_it(sample):
    found = triage("بانک مرکزی در همدان جواب شکایت را نمی‌دهد", Known(), sample)
    assert found.agency.value == "CBI"  # not Bank Melli's Hamadan branches


def test_a_code_counts_only_in_capitals(sample):
    assert triage("SSO pension office", Known(), sample).agency.value == "SSO"
    assert triage("so they sent me away", Known(), sample).agency.value is None


def test_an_agency_of_another_province_than_the_text_names_is_unsure(sample):
    found = triage("برق تهران در شهر ملایر قطع است", Known(), sample)
    assert found.agency.value == "POWER-TEH" and not found.is_confident("agency")


def test_the_working_groups_are_never_suggested(sample):
    found = triage("کارگروه فوریت‌های اداری استان تهران جواب نداد", Known(), sample)
    assert found.agency.value is None and found.sector.value != "foad"


def test_same_text_same_answer_whatever_the_directorys_order():
    text = "بانک ملی شعبه ملایر کارمند نبود و سه ساعت معطل شدم"
    shuffled = SAMPLE_ROWS[:]
    random.Random(7).shuffle(shuffled)
    first = triage(text, Known(), DirectoryIndex.from_rows(SAMPLE_ROWS))
    assert all(triage(text, Known(), DirectoryIndex.from_rows(shuffled)) == first for _ in range(3))


def test_what_a_callers_number_tells():
    assert Known.of(identify("08132223344"), via="call") == Known("hamadan", "call", "fa")
    assert Known.of(identify("09121234567"), via="sms").province is None
    assert Known.of(identify("+447700900123"), language="en") == Known(None, None, "en")


def test_as_dict_is_plain_data_with_the_verdict(sample):
    data = triage("بانک ملی ملایر", Known(via="sms"), sample).as_dict()
    assert set(data) == set(FIELDS) | {"known", "threshold"}
    assert data["known"] == {"province": None, "via": "sms", "language": "fa"}
    assert data["threshold"] == THRESHOLD
    assert data["agency"] == {"value": "BMI-HAM", "confidence": 1.0, "rule": "agency_name+place",
                              "evidence": ["بانک ملی", "ملایر"], "confident": True}
    # Written out by hand: a field added to either dataclass must be added there too.
    assert set(data["agency"]) == {f.name for f in fields(Suggestion)} | {"confident"}
    assert set(data["known"]) == {f.name for f in fields(Known)}


def test_asking_for_an_unknown_field_is_an_error():
    with pytest.raises(KeyError):
        triage("بانک").get("official")


@pytest.mark.parametrize("text, sector, province, county", [
    ("دفتر پیشخوان دولت در شهر ری سه بار مرا برگرداند", None, "tehran", "Rey"),
    ("صندوق بازنشستگی اصفهان جواب نمی‌دهد", "social_security", "isfahan", None),
    ("shahrdari mantaghe 5 zobale ro jam nemikone", "municipality", None, None),
])
def test_the_texts_that_went_to_the_national_working_group_are_placed(text, sector, province, county):
    found = triage(text)
    assert (found.confident().get("sector"), found.confident().get("province"),
            found.confident().get("county")) == (sector, province, county)
