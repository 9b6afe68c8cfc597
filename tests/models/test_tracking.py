"""Tracking codes: check digit, shape, parsing what people type."""

import random
from collections import Counter

import pytest

from models import tracking
from models.errors import InvalidCode


def test_damm_check_digit_matches_the_published_example():
    assert tracking.check_digit("572") == "4"


def test_new_codes_are_ten_digits_valid_and_never_start_with_zero():
    codes = [tracking.new_code() for _ in range(2000)]
    assert all(len(c) == 10 and c[0] != "0" and tracking.is_valid(c) for c in codes)
    assert len(set(codes)) == len(codes)


# The Damm check reads a code digit by digit through a table of ten states and accepts it when
# it ends in state 0. Every state is reached by one leading digit (row 0 of the table is a
# permutation), so the three tests below, 900 cases each through check_digit, cover every
# place in every code: an error changes the state where it happens, and no digit after it
# can bring two different states back together.
STATES = {int(tracking.check_digit(d)): d for d in "0123456789"}
PAIRS = [(a, b) for a in "0123456789" for b in "0123456789" if a != b]


def test_one_leading_digit_reaches_every_state():
    assert sorted(STATES) == list(range(10))


@pytest.mark.parametrize("state", range(10))
def test_a_wrong_digit_changes_the_state_from_every_state(state):
    prefix = STATES[state]
    for right, wrong in PAIRS:
        assert tracking.check_digit(prefix + right) != tracking.check_digit(prefix + wrong)


@pytest.mark.parametrize("state", range(10))
def test_a_swap_of_neighbours_changes_the_state_from_every_state(state):
    prefix = STATES[state]
    for a, b in PAIRS:
        assert tracking.check_digit(prefix + a + b) != tracking.check_digit(prefix + b + a)


@pytest.mark.parametrize("digit", "0123456789")
def test_no_digit_brings_two_different_states_together(digit):
    for s, t in PAIRS:
        assert (tracking.check_digit(STATES[int(s)] + digit)
                != tracking.check_digit(STATES[int(t)] + digit))


def test_every_single_wrong_digit_and_swap_in_sampled_codes_is_refused():
    for code in (tracking.new_code() for _ in range(200)):
        for i in range(10):
            for digit in "0123456789":
                typo = code[:i] + digit + code[i + 1:]
                assert tracking.is_valid(typo) == (digit == code[i]), (code, typo)
            if i < 9 and code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
                assert not tracking.is_valid(swapped), (code, swapped)


def test_digits_are_spread_evenly_over_every_position():
    codes = [tracking.new_code() for _ in range(20_000)]
    for position in range(10):
        counts = Counter(code[position] for code in codes)
        digits = "123456789" if position == 0 else "0123456789"
        assert set(counts) == set(digits)  # so the first digit is never 0
        expected = len(codes) / len(digits)
        # 2,000 to 2,222 expected per digit, a standard deviation near 45: 15% is > 6 sigma.
        assert all(abs(n - expected) < 0.15 * expected for n in counts.values()), (position, counts)


def test_consecutive_codes_are_not_a_counter_or_a_clock():
    codes = [int(tracking.new_code()) for _ in range(2000)]
    steps = [b - a for a, b in zip(codes, codes[1:])]
    # Random codes differ by less than 100 once in ~45 million pairs.
    assert min(abs(step) for step in steps) > 100
    # Codes in the order they were made are not sorted: about half the steps go up
    # (1,999 steps, a standard deviation near 0.011), and no long climbing run.
    assert 0.4 < sum(step > 0 for step in steps) / len(steps) < 0.6
    assert _longest_climb(codes) < 20


def _longest_climb(values: list[int]) -> int:
    longest = run = 1
    for a, b in zip(values, values[1:]):
        run = run + 1 if b > a else 1
        longest = max(longest, run)
    return longest


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
