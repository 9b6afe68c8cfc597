"""The whole labelled evaluation set, read against the national-size directory: the targets hold."""

from collections import Counter

import pytest

from bench.directory import rows
from models.agencies import FOAD_SECTOR, SECTORS
from models.triage import DirectoryIndex
from tests.triage_eval import TARGETS, cases, read, score


@pytest.fixture(scope="module")
def scores():
    index = DirectoryIndex.from_rows(rows())
    return score((case, read(case, index)) for case in cases())


def test_the_set_is_large_and_covers_what_citizens_write():
    labelled = cases()
    tags = Counter(tag for case in labelled for tag in case["tags"])
    assert len(labelled) >= 200
    assert {case["sector"] for case in labelled} >= {code for code, *_ in SECTORS if code != FOAD_SECTOR}
    assert len({case["province"] for case in labelled if case["province"]}) >= 25
    assert sum(not case["province"] for case in labelled) >= 100  # no place at all: many
    for tag in ("noplace", "arabic", "nozwnj", "misspelled", "finglish", "english", "colloquial",
                "multi_service", "multi_place", "landline"):
        assert tags[tag] >= 3, tag


@pytest.mark.parametrize("field", sorted(TARGETS))
def test_accuracy_on_texts_that_name_the_field_meets_its_target(scores, field):
    found = scores[field]
    assert found.accuracy >= TARGETS[field], "\n".join(found.misses)


def test_no_province_on_a_text_that_names_none(scores):
    assert scores["province"].invented == 0, "\n".join(scores["province"].misses)


@pytest.mark.parametrize("field", ["sector", "agency", "province", "county", "category"])
def test_a_confident_suggestion_is_rarely_wrong(scores, field):
    found = scores[field]
    assert found.wrong + found.invented <= 0.03 * (found.named + found.unnamed), "\n".join(found.misses)
