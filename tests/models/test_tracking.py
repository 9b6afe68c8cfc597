"""Tracking codes: check digit, shape, parsing what people type."""

import random

import pytest

from models import tracking
from models.errors import InvalidCode


def test_damm_check_digit_matches_the_published_example():
    assert tracking.check_digit("572") == "4"


def test_new_codes_are_ten_digits_valid_and_never_start_with_zero():
    codes = [tracking.new_code() for _ in range(2000)]
    assert all(len(c) == 10 and c[0] != "0" and tracking.is_valid(c) for c in codes)
    assert len(set(codes)) == len(codes)


def test_every_single_wrong_digit_is_caught():
    for code in (tracking.new_code() for _ in range(300)):
        for position in range(10):
            for digit in "0123456789":
                if digit != code[position]:
                    typo = code[:position] + digit + code[position + 1:]
                    assert not tracking.is_valid(typo), (code, typo)


def test_every_swap_of_neighbours_is_caught():
    for code in (tracking.new_code() for _ in range(3000)):
        for i in range(9):
            if code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
                assert not tracking.is_valid(swapped), (code, swapped)


def test_codes_are_not_sequential_or_patterned():
    codes = [tracking.new_code() for _ in range(500)]
    assert not any(tracking._looks_patterned(c[:9]) for c in codes)
    gaps = {int(b) - int(a) for a, b in zip(codes, codes[1:])}
    assert len(gaps) > 450  # random, not a counter


@pytest.mark.parametrize("typed", ["{c}", "{s}", " {c} ", "{fa}", "{ar}", "{fa_spaced}"])
def test_parse_accepts_persian_arabic_and_latin_digits_with_separators(typed):
    code = tracking.new_code()
    fa = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    ar = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    text = typed.format(c=code, s=tracking.spaced(code).replace("-", " "), fa=fa, ar=ar,
                        fa_spaced=tracking.for_reading(code))
    assert tracking.parse(text) == code


@pytest.mark.parametrize("typed, reason", [
    ("12345", "10 digits, not 5"),
    ("12a4567890", "only digits"),
])
def test_parse_says_why_it_refuses(typed, reason):
    with pytest.raises(InvalidCode, match=reason):
        tracking.parse(typed)


def test_parse_refuses_a_wrong_check_digit():
    code = tracking.new_code()
    wrong = code[:9] + str((int(code[9]) + 1) % 10)
    with pytest.raises(InvalidCode, match="check digit"):
        tracking.parse(wrong)


def test_for_reading_groups_three_three_four_in_persian_digits():
    assert tracking.for_reading("4821930576") == "\u200e۴۸۲-۱۹۳-۰۵۷۶"


def test_the_code_keeps_its_order_inside_persian_text():
    import unicodedata

    code = "482193057" + tracking.check_digit("482193057")
    text = "کد پیگیری: " + tracking.for_reading(code)
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    # The strong character nearest before the digits is the LRM (class L), not a Persian
    # letter (class AL), so the digits stay European numbers and the dashes join them.
    strong = [ch for ch in text[:digits[0]] if unicodedata.bidirectional(ch) in ("L", "R", "AL")]
    assert unicodedata.bidirectional(strong[-1]) == "L"
    assert tracking.parse(text.split(": ")[1]) == code


def test_random_source_is_not_seedable_from_outside():
    random.seed(1)
    first = tracking.new_code()
    random.seed(1)
    assert tracking.new_code() != first
