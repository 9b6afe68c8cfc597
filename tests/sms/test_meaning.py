"""Reading a text before anything is looked up: words, codes and digits in any keyboard."""

import pytest

from sms.meaning import Kind, OfficialAnswer, language_of, read, read_official

CODE = "4821930576"


@pytest.mark.parametrize("text,kind", [
    ("STOP", Kind.STOP), ("لغو", Kind.STOP), ("توقف!", Kind.STOP), ("stop please", Kind.TEXT),
    ("Start", Kind.START), ("شروع", Kind.START), ("HELP", Kind.HELP), ("راهنما", Kind.HELP),
    ("  ", Kind.HELP), ("\u200c", Kind.HELP), (CODE, Kind.STATUS), ("پيگيري ٤٨٢١٩٣٠٥٧٦", Kind.STATUS),
    ("۴۸۲ ۱۹۳ ۰۵۷۶", Kind.STATUS), ("3", Kind.SCORE), ("۵.", Kind.SCORE), ("6", Kind.TEXT),
    ("کارمند نبود", Kind.TEXT), ("12 نفر در صف", Kind.TEXT),
])
def test_what_a_text_says(text, kind):
    assert read(text).kind == kind


def test_an_empty_text_with_media_is_a_complaint_not_a_question():
    assert read("", has_media=True).kind == Kind.TEXT


def test_a_code_is_read_through_persian_and_arabic_digits_and_separators():
    assert {read(t).code for t in (CODE, "۴۸۲-۱۹۳-۰۵۷۶", "٤٨٢ ١٩٣ ٠٥٧٦", "code: 482.193.0576")} == {CODE}


def test_twilio_keywords_are_marked_as_twilios():
    assert read("STOP").twilio_keyword and not read("لغو").twilio_keyword


@pytest.mark.parametrize("text,language", [("سلام", "fa"), ("salam", "en"), ("سلام bank", "fa"),
                                           ("١٢٣", None), ("😀", None)])
def test_the_script_gives_the_language(text, language):
    assert language_of(text) == language


@pytest.mark.parametrize("text,answer", [
    (f"{CODE} ok", OfficialAnswer(CODE, None)),
    ("۴۸۲-۱۹۳-۰۵۷۶ تأیید", OfficialAnswer(CODE, None)),
    (f"\u200f{CODE}: کارمند تذکر گرفت ۱۲", OfficialAnswer(CODE, "کارمند تذکر گرفت ۱۲")),
    (f"{CODE}", None), ("ok", None), (f"{CODE}1 ok", None), (f"پیگیری {CODE}", None),
])
def test_an_official_answer_keeps_the_officials_own_text(text, answer):
    assert read_official(text) == answer
