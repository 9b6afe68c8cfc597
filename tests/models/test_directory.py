"""The agency directory and its CSV import."""

import csv
from collections import Counter

import pytest
from sqlalchemy import func, select

from models.agencies import Agency, Level, Official, Role, Sector
from models.categories import Category
from models.directory import SAMPLE, DirectoryError, import_csv, import_rows
from tests.builders import agency


def test_sample_covers_two_provinces_four_levels_and_eight_sectors(session):
    agencies = session.scalars(select(Agency)).unique().all()
    assert {a.province_code for a in agencies} >= {"tehran", "hamadan"}
    assert {a.level for a in agencies} == set(Level)
    needed = {"municipality", "banks", "health_insurance", "tax", "civil_registry", "utilities",
              "education", "social_security"}
    assert needed <= {a.sector_code for a in agencies}


def test_sample_numbers_are_in_the_unallocated_range(session):
    mobiles = session.scalars(select(Official.mobile)).all()
    assert mobiles and all(m.startswith("+98997") for m in mobiles)


def test_county_offices_hang_under_their_province(session):
    office = agency(session, "MUN-HAM-MALAYER")
    assert office.level == Level.COUNTY and office.parent.code == "MUN-HAM"
    assert office.parent.parent.code == "IMVO" and office.parent.parent.parent.code == "MOI"


def test_working_groups_have_working_group_members(session):
    group = agency(session, "FOAD-TEH")
    roles = {o.role for o in group.officials}
    assert Role.WORKING_GROUP in roles


def test_categories_and_sectors_are_seeded_with_menu_keys(session):
    assert session.scalar(select(func.count()).select_from(Category)) == 8
    keys = session.scalars(select(Sector.menu_key).where(Sector.menu_key.is_not(None))).all()
    assert sorted(keys) == list(range(1, 9))


def test_importing_again_updates_without_duplicates(session):
    before = session.scalar(select(func.count()).select_from(Official))
    report = import_csv(session, SAMPLE)
    assert report.agencies_added == 0 and report.officials_added == 0
    assert session.scalar(select(func.count()).select_from(Official)) == before


def test_rows_may_come_in_any_order(session):
    rows = [
        {"code": "X-CNT", "level": "county", "sector": "tax", "parent": "X-PRV", "province": "qom",
         "county": "Qom", "name_fa": "الف", "name_en": "A", "head_name": "B", "head_mobile": "09970009991"},
        {"code": "X-PRV", "level": "provincial", "sector": "tax", "parent": "INTA", "province": "qom",
         "name_fa": "ب", "name_en": "B"},
    ]
    import_rows(session, rows)
    assert agency(session, "X-CNT").parent.code == "X-PRV"
    assert agency(session, "X-CNT").officials[0].mobile == "+989970009991"


def test_a_bad_file_imports_nothing_and_says_why(session, tmp_path):
    path = tmp_path / "bad.csv"
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "level", "sector", "parent", "province", "name_fa", "name_en",
                         "joined_on", "head_name", "head_mobile"])
        writer.writerow(["OK-1", "county", "tax", "", "tehran", "الف", "A", "", "", ""])
        writer.writerow(["BAD-1", "village", "space", "NOPE", "mars", "ب", "B", "1403-13-01", "X", "12"])
        writer.writerow(["", "", "", "", "", "", "", "", "", ""])
    with pytest.raises(DirectoryError) as caught:
        import_csv(session, path)
    problems = " | ".join(caught.value.problems)
    for expected in ("level must be", "unknown sector 'space'", "unknown parent 'NOPE'",
                     "unknown province 'mars'", "joined_on '1403-13-01'", "head_mobile '12'",
                     "line 4 (no code): missing"):
        assert expected in problems
    session.rollback()
    assert session.scalar(select(Agency).where(Agency.code == "OK-1")) is None


def test_sample_csv_has_unique_codes():
    with open(SAMPLE, encoding="utf-8") as handle:
        counts = Counter(row["code"] for row in csv.DictReader(handle))
    assert max(counts.values()) == 1


def test_joined_on_may_be_jalali_or_gregorian():
    from datetime import date

    from models.directory import joined_on

    assert joined_on("1403-01-01") == date(2024, 3, 20)
    assert joined_on("۱۴۰۳-۰۴-۰۱") == date(2024, 6, 21)
    assert joined_on("2024-03-20") == date(2024, 3, 20)
    assert joined_on("") is None
