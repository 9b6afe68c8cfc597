"""The workers' texts keep links Latin and cut the complaint's words to fit (lengths: tests/sms)."""

from models import notices
from models.categories import CATEGORIES
from models.routing import console_link

CODE = "4821930576"
LINK = console_link("https://128.arao.ir", CODE)  # README: keep FOAD_PUBLIC_BASE_URL short
LONGEST_CATEGORY = max((label for _, label, _, _ in CATEGORIES), key=len)


def test_a_link_keeps_its_latin_digits_in_a_persian_text():
    text = notices.render("reminder", "fa", code=CODE, due="x", link=LINK)
    assert text.endswith(f"/console/tickets/{CODE}") and "۴۸۲-۱۹۳-۰۵۷۶" in text


def test_fit_cuts_the_summary_at_a_word_and_keeps_short_ones_whole():
    short = notices.fit("referral", "fa", "summary", code=CODE, category="x", summary="کارمند نیامد", link=LINK)
    assert "کارمند نیامد" in short and "…" not in short
    long = notices.fit("referral", "fa", "summary", code=CODE, category=LONGEST_CATEGORY,
                       summary="کارمند باجه " * 30, link=LINK)
    assert len(long) <= notices.LIMIT and "باجه…" in long.replace("کارمند…", "باجه…")
    one_word = notices.fit("referral", "fa", "summary", code=CODE, category="x", summary="ب" * 500, link="")
    assert len(one_word) == notices.LIMIT and one_word.endswith("…")
    assert console_link("", CODE) == ""
