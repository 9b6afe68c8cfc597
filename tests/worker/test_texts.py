"""The workers' texts stay within two UCS-2 segments, keep links Latin, and cut long words well."""

import pytest

from models import notices
from models.categories import CATEGORIES
from models.persian import jalali
from models.routing import console_link
from tests.worker.helpers import tehran

CODE = "4821930576"
LINK = console_link("https://128.arao.ir", CODE)  # README: keep FOAD_PUBLIC_BASE_URL short
LONGEST_CATEGORY = max((label for _, label, _, _ in CATEGORIES), key=len)


@pytest.mark.parametrize("key, values", [
    ("referral", {"category": LONGEST_CATEGORY, "summary": "", "link": LINK}),
    ("escalation", {"category": LONGEST_CATEGORY, "summary": "", "link": LINK}),
    ("reminder", {"due": jalali(tehran(2026, 12, 30, 14, 30)), "link": LINK}),
    ("result", {"result": ""}),
    ("survey", {}),
])
@pytest.mark.parametrize("language", ["fa", "en"])
def test_every_text_of_ours_fits_two_segments(key, values, language):
    assert len(notices.render(key, language, code=CODE, **values)) <= notices.LIMIT


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
