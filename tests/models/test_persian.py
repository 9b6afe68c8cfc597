"""Persian text handling and the outbound text catalog."""

from datetime import datetime, timezone

import pytest

from models import notices
from models.persian import jalali, latin_digits, normalize, persian_digits


def test_digits_both_ways():
    assert latin_digits("۰۱۲۳۴۵۶۷۸۹ ٠١٢٣٤٥٦٧٨٩") == "0123456789 0123456789"
    assert persian_digits("128 / 2024") == "۱۲۸ / ۲۰۲۴"


@pytest.mark.parametrize("raw, clean", [
    ("پيگيري", "پیگیری"),
    ("كد ٤٥", "کد 45"),
    ("پی\u200cگیری", "پی گیری"),
    ("  لغو\u00a0\u200f ", "لغو"),
    ("\ufeffراهنما", "راهنما"),
])
def test_normalize_for_parsing(raw, clean):
    assert normalize(raw) == clean


def test_jalali_in_tehran_time():
    # 2025-03-20 21:00 UTC is 1 Farvardin 1404, 00:30 in Tehran (UTC+3:30).
    moment = datetime(2025, 3, 20, 21, 0, tzinfo=timezone.utc)
    assert jalali(moment) == "۱۴۰۴/۰۱/۰۱ ۰۰:۳۰"
    assert jalali(moment, with_time=False, digits="latin") == "1404/01/01"


@pytest.mark.parametrize("language", ["fa", "en"])
def test_tracking_code_text_fits_one_segment(language):
    text = notices.render("tracking_code", language, code="4821930576")
    assert len(text) <= (70 if language == "fa" else 160)
