"""The agency picker's search over a national-size directory (3,881 agencies): parts of Persian
or English names, aliases and codes, folded as triage folds words, best first, a page at most."""

from __future__ import annotations

import pytest

from bench.directory import rows
from models.agency_search import LIMIT, AgencyFinder, Found, finder


@pytest.fixture(scope="module")
def national() -> AgencyFinder:
    return AgencyFinder([(Found(n, r["code"], r["name_fa"], r["name_en"], r["level"], r["sector"],
                                r["province"] or None), r.get("aliases")) for n, r in enumerate(rows())])


def codes(found: list[Found]) -> list[str]:
    return [f.code for f in found]


def test_the_directory_is_national_size(national):
    assert len(national._entries) > 3000


def test_a_code_typed_whole_comes_first_whatever_its_case(national):
    assert codes(national.search("tax-isf-kashan")[0])[0] == "TAX-ISF-KASHAN"


def test_persian_words_in_any_order_and_any_keyboard(national):
    found, more = national.search("ملي شعب كاشان")  # Arabic ي and ك, words out of order
    assert codes(found) == ["BMI-ISF-KASHAN"] and not more


def test_english_names_and_aliases(national):
    assert "MUN-ISF-KASHAN" in codes(national.search("Municipality of Kashan")[0])
    aliased = next(r for r in rows() if r.get("aliases", "").startswith("shahrdari "))
    assert codes(national.search(aliased["aliases"])[0])[0] == aliased["code"]


def test_a_name_starting_with_the_text_ranks_above_one_containing_it(national):
    every = national.search("شهرداری", limit=3000)[0]
    assert every[0].name_fa.startswith("شهرداری")
    assert "IMVO" in codes(every)  # "سازمان شهرداری‌ها …": found, after every name starting so
    first_other = codes(every).index("IMVO")
    assert all(f.name_fa.startswith("شهرداری") for f in every[:first_other])


def test_a_page_at_most_and_whether_there_are_more(national):
    found, more = national.search("اداره")
    assert len(found) == LIMIT and more
    assert len(national.search("اداره", limit=3000)[0]) > 1000
    assert national.search("   ") == ([], False) and national.search("zzzz-nothing") == ([], False)


def test_national_bodies_come_first_then_the_provinces_in_order(national):
    found = national.search("بانک ملی", limit=3000)[0]
    assert found[0].code == "BMI" and found[0].province_code is None
    provinces = [f.province_code for f in found if f.province_code]
    assert provinces.index("tehran") < provinces.index("hamadan")  # the directory's own order


def test_sectors_narrow_it(national):
    found = national.search("استان", limit=3000, sectors=frozenset({"tax"}))[0]
    assert found and {f.sector_code for f in found} == {"tax"}


def test_the_finder_of_a_database_is_kept_until_the_directory_changes(session):
    first = finder(session)
    assert finder(session) is first
    assert codes(first.search("SSO-HAM")[0])[0] == "SSO-HAM"
