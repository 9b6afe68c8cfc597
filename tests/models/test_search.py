"""Full-text search: Persian as people type it, on the database the suite runs on (SQLite's
FTS5, or PostgreSQL's text search), ranked, with the found words marked."""

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, select, text

from foad.cli import main
from models import notes, search
from models.base import utcnow
from models.persian import fold, stem, terms
from models.search import SearchDocument
from models.tickets import Ticket
from models.users import add_user
from tests.builders import agency, make_ticket


@pytest.mark.parametrize("typed, folded", [
    ("كارمند", "کارمند"),  # Arabic kaf
    ("پيگيري", "پیگیری"),  # Arabic yeh
    ("باجهٔ ۳", "باجه 3"),  # hamza above, Persian digit
    ("٤٥ دقيقه", "45 دقیقه"),  # Arabic-Indic digits
    ("مـــدیر", "مدیر"),  # tatweel
    ("خَانه", "خانه"),  # a short vowel
    ("آموزش و پرورش", "اموزش و پرورش"),  # alef madda
    ("مسئول", "مسیول"),  # hamza seat
    ("ﻻزم", "لازم"),  # a presentation form
    ("کارمند\u200cها", "کارمند ها"),  # ZWNJ
    ("Bank_Melli!", "bank melli"),
])
def test_fold_reads_letters_digits_and_marks_as_one(typed, folded):
    assert fold(typed) == folded


@pytest.mark.parametrize("written", ["کارمندان", "کارمند‌ها", "کارمند ها", "کارمندها", "كارمندهايشان"])
def test_plurals_and_endings_written_any_way_are_one_word(written):
    assert terms(written) == ["کارمند"]


def test_stop_words_single_letters_and_detached_prefixes_are_left_out():
    assert terms("از این کارمند و آن باجه می‌پرسم") == ["کارمند", "باج", "پرسم"]
    assert stem("راه‌ها".replace("\u200c", "")) == "راه"  # a short stem keeps its plural cut
    assert stem("کوه") == "کوه"  # too short to lose an ending


def _texts(session, *texts):
    return [make_ticket(session, text=t, caller=f"0912000{n:04d}") for n, t in enumerate(texts)]


def _found(session, typed):
    words = search.query_words(typed)
    hits = search.matches(session, words)
    rows = session.execute(select(Ticket.code, hits.c.rank).join(hits, hits.c.ticket_id == Ticket.id)
                           .order_by(hits.c.rank.desc(), Ticket.id)).all()
    session.commit()
    return [code for code, _rank in rows]


def test_a_two_word_query_finds_the_complaints_with_both_whatever_the_keyboard(session):
    both, only_one, neither = _texts(session, "كارمندان باجه‌ها ساعت ۳ نيامدند",
                                     "کارمند بی‌ادب بود", "نانوایی بسته بود")
    assert _found(session, "کارمند باجه") == [both.code]
    assert set(_found(session, "كارمند")) == {both.code, only_one.code}
    assert _found(session, "باجه‌های") == [both.code]  # the query's ending is cut too
    assert _found(session, "ساعت ۳") == [both.code]  # a lone digit is no word to find
    assert _found(session, "نانوا") == [neither.code]  # a word's beginning finds it
    assert _found(session, "اداره") == []


def test_more_matching_words_rank_higher(session):
    once, often = _texts(session, "تأخیر در پرداخت", "تأخیر و تأخیر و باز هم تأخیر در پاسخ به تأخیر")
    assert _found(session, "تاخیر") == [often.code, once.code]


def test_texts_added_later_notes_and_results_are_searched(session):
    ticket = make_ticket(session, text="شکایت از شعبه")
    sara = add_user(session, "sara", "supervisor", "correct horse battery")
    notes.add(session, ticket, sara, "پرونده را با بازرسی هماهنگ کردم")
    assert _found(session, "بازرسی هماهنگ") == [ticket.code]
    assert _found(session, "شعبه") == [ticket.code]


def test_only_the_searched_words_are_marked_in_the_original_text():
    words = search.query_words("كارمند باجه")
    pieces = search.highlight("کارمندانِ باجهٔ ۳ دیر آمدند", words)
    assert [p for p, found in pieces if found] == ["کارمندانِ", "باجهٔ"]
    assert "".join(p for p, _ in pieces) == "کارمندانِ باجهٔ ۳ دیر آمدند"


def test_a_snippet_is_cut_around_the_first_found_word():
    long = " ".join(["واژه"] * 40 + ["کارمند"] + ["دیگر"] * 40)
    pieces = search.snippet(long, search.query_words("کارمند"))
    text = "".join(p for p, _ in pieces)
    assert text.startswith("… ") and text.endswith(" …") and "کارمند" in text
    assert len(text.split()) < 25
    assert search.snippet("هیچ", search.query_words("کارمند")) is None


def test_foad_search_reindex_rebuilds_every_document_from_the_texts(session, settings):
    ticket = make_ticket(session, text="کارمند نیامد", agency_id=agency(session, "MUN-TEH").id)
    sara = add_user(session, "sara", "supervisor", "correct horse battery")
    notes.add(session, ticket, sara, "با شعبه هماهنگ شد")
    session.execute(SearchDocument.__table__.delete())
    session.commit()
    assert _found(session, "کارمند") == []
    env = {"DATABASE_URL": settings.database_url, "FOAD_DATA_DIR": str(settings.data_dir)}
    done = CliRunner().invoke(main, ["search", "reindex"], env=env, catch_exceptions=False)
    assert done.output == "1 search documents written\n"
    assert _found(session, "کارمند") == [ticket.code] == _found(session, "شعبه")



def test_at_scale_postgresql_matches_a_common_word_whole_and_sqlite_still_by_its_beginning(session):
    """A prefix that begins a word of most documents would make GIN gather them all: with
    enough documents PostgreSQL's statistics name the word common, and it is matched whole."""
    now = utcnow()
    bulk = [{"id": 100_000 + n, "code": str(8_000_000_000 + n), "via": "sms", "caller_kind": "withheld",
             "category_code": "other", "language": "fa", "status": "registered", "escalation_level": 0,
             "reopens": 0, "registered_at": now, "last_step_at": now} for n in range(search.COMMON_FROM)]
    session.execute(insert(Ticket), bulk)
    session.execute(insert(SearchDocument), [{"ticket_id": row["id"], "body": "کارمند باج"} for row in bulk])
    longer = make_ticket(session, text="کارمندگرایی در اداره")  # a word that begins with the common one
    session.commit()
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text("ANALYZE search_documents"))  # what autovacuum does as the table grows
        session.commit()
    found = _found(session, "کارمند")
    assert len(found) == search.COMMON_FROM + (0 if postgres else 1)
    assert (longer.code in found) is not postgres
