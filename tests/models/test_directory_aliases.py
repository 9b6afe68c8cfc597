"""The directory's optional aliases column: stored tidy, old files without it still import."""

import csv

import pytest
from sqlalchemy import select

from models.agencies import Agency
from models.directory import DirectoryError, aliases, import_csv, import_rows
from tests.builders import agency

OLD_HEADER = ["code", "level", "sector", "parent", "province", "county", "name_fa", "name_en",
              "joined_on", "head_name", "head_mobile", "senior_name", "senior_mobile"]


def _row(**overrides: str) -> dict[str, str]:
    row = {"code": "X-QOM", "level": "provincial", "sector": "tax", "parent": "INTA", "province": "qom",
           "name_fa": "اداره کل مالیات قم", "name_en": "Qom Tax Directorate"}
    row.update(overrides)
    return row


def test_the_sample_names_aliases_citizens_write(session):
    assert agency(session, "BMI").aliases.split(";")[0] == "بانک ملی"
    assert agency(session, "ARAO").aliases is None


@pytest.mark.parametrize("cell, stored", [
    (" بانک ملی ; ملی ;;BMI; ملی", "بانک ملی;ملی;BMI"),
    ("", None),
    (" ; ", None),
])
def test_aliases_are_stored_tidy(cell, stored):
    assert aliases(cell) == stored


def test_an_import_sets_and_clears_aliases(session):
    import_rows(session, [_row(aliases="مالیات قم;maliat qom")])
    assert agency(session, "X-QOM").aliases == "مالیات قم;maliat qom"
    import_rows(session, [_row(aliases="")])
    assert agency(session, "X-QOM").aliases is None


def test_a_file_without_the_column_imports_and_keeps_stored_aliases(session, tmp_path):
    import_rows(session, [_row(aliases="مالیات قم")])
    path = tmp_path / "old.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=OLD_HEADER, restval="")
        writer.writeheader()
        writer.writerow(_row(name_en="Qom Province Tax Directorate"))
    report = import_csv(session, path)
    assert report.agencies_updated == 1
    found = agency(session, "X-QOM")
    assert found.name_en == "Qom Province Tax Directorate" and found.aliases == "مالیات قم"


def test_too_long_aliases_are_a_problem_and_nothing_is_imported(session):
    with pytest.raises(DirectoryError) as caught:
        import_rows(session, [_row(aliases=";".join(f"نام {n}" for n in range(120)))])
    assert "aliases are longer than 500 characters" in caught.value.problems[0]
    session.rollback()
    assert session.scalar(select(Agency).where(Agency.code == "X-QOM")) is None


def test_a_changed_row_moves_its_changed_at(session):
    before = agency(session, "BMI").changed_at
    import_rows(session, [{**_row(code="BMI", level="affiliate", sector="banks", parent="CBI", province=""),
                           "name_fa": "بانک ملی ایران", "name_en": "Bank Melli Iran", "aliases": "ملی"}])
    after = agency(session, "BMI").changed_at
    assert before is not None and after > before
