"""The directory as triage reads it, from the database, cached until it changes; and the data files."""

import csv
import shutil

import pytest

from bench.directory import write
from models.agencies import FOAD_SECTOR, SECTORS
from models.categories import CATEGORIES, OTHER
from models.directory import import_csv, import_rows
from models.provinces import PROVINCES
from models.triage import DirectoryCache, DirectoryIndex, Known, triage
from models.triage.knowledge import DATA, KnowledgeError, load
from tests.builders import agency


def test_the_index_reads_names_and_aliases_from_the_database(session):
    index = DirectoryIndex.load(session)
    bmi = agency(session, "BMI")
    assert index.units["BMI"].id == bmi.id and index.units["BMI-HAM"].parent == "BMI"
    found = triage("bank melli shoabe hamedan", Known(), index)
    assert found.agency.value == "BMI-HAM" and found.agency.rule == "agency_name+place"


def test_an_alias_imported_is_read_at_once(session):
    cache = DirectoryCache()
    before = cache.get(session)
    assert triage("بانک سیصد و بیست", Known(), before).agency.value is None
    assert cache.get(session) is before  # unchanged directory: the same index, not read again
    import_rows(session, [{"code": "BMI", "level": "affiliate", "sector": "banks", "parent": "CBI",
                           "name_fa": "بانک ملی ایران", "name_en": "Bank Melli Iran",
                           "aliases": "بانک ملی;بانک سیصد و بیست"}])
    after = cache.get(session)
    assert after is not before
    assert triage("بانک سیصد و بیست کارمند نداشت", Known(), after).agency.value == "BMI"


def test_the_national_size_directory_is_deterministic(tmp_path):
    first, again, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    assert write(first, seed=5) == write(again, seed=5) == write(other, seed=6) > 3000
    assert first.read_bytes() == again.read_bytes() != other.read_bytes()


def test_the_national_size_directory_is_a_file_the_import_accepts(session, tmp_path):
    # The sample and one province's offices: the whole file takes the import half a minute.
    path = tmp_path / "isfahan.csv"
    write(path)
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        kept = [row for row in reader if row["province"] in ("", "tehran", "hamadan", "isfahan")]
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames)
        writer.writeheader()
        writer.writerows(kept)
    report = import_csv(session, path)
    assert report.agencies_added == len(kept) - 44 and report.agencies_updated == 44
    found = triage("ثبت احوال کاشان برای شناسنامه رشوه خواست", Known(), DirectoryIndex.load(session))
    assert found.agency.value == "NOCR-ISF-KASHAN" and found.is_confident("agency")


def test_the_gazetteer_has_every_province_with_its_counties():
    with open(DATA / "places.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    counties = {(r["province"], r["county"]) for r in rows if r["county"] and r["county"] == r["name_en"]}
    assert {p for p, _ in counties} == {p.code for p in PROVINCES}
    assert len(counties) == 448
    cities = {(r["province"], r["county"]) for r in rows if r["county"]}
    assert cities == counties  # a city row names a county the file has


def test_every_service_and_category_has_a_strong_word():
    kb = load(DATA)
    strong = {(e.field, e.value) for lexicon in (kb.sectors, kb.categories)
              for e in lexicon.entries() if e.weight == 3}
    wanted = {("sector", code) for code, *_ in SECTORS if code != FOAD_SECTOR}
    wanted |= {("category", code) for code, *_ in CATEGORIES if code != OTHER}
    assert wanted <= strong


@pytest.mark.parametrize("file, line, problem", [
    ("keywords.csv", "sector,space,strong,موشک\n", "no 'sector' 'space'"),
    ("keywords.csv", "category,delay,loud,معطل\n", "strength must be strong, medium or weak"),
    ("places.csv", "mars,Olympus,المپ,Olympus,,\n", "no province 'mars'"),
])
def test_a_bad_data_row_is_refused_with_its_line(tmp_path, file, line, problem):
    for name in ("keywords.csv", "places.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    with open(tmp_path / file, "a", encoding="utf-8") as out:
        out.write(line)
    with pytest.raises(KnowledgeError, match=problem) as caught:
        load(tmp_path)
    assert f"{file} line " in str(caught.value)
