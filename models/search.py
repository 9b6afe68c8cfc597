"""Full-text search of complaints: what the citizen wrote and texted, the questions asked of
them and their answers, the results and the console's notes; Persian-aware on both databases.

Every ticket has one search document: the words of those texts as `models.persian.terms`
reads them (folded letters and digits, ZWNJ and spaces alike, endings cut), written by the
code that adds the text (`add`), in its transaction. A query is read by the same function,
and each of its words matches any word of a document that begins with it (so the endings
the stemmer leaves are found too), all words required. On PostgreSQL a word whose beginning
is that of a common word (in COMMON_SHARE or more of the documents, by the column's own
statistics) is matched whole instead: expanding a prefix makes GIN gather every document of
every word it begins, hundreds of thousands for a common one, where a whole word lets GIN
skip through that long list by the rarer word's.

- PostgreSQL: the `simple` text search configuration (no stemming, no stop words: ours have
  been applied) over the document, in a generated `tsvector` column with a GIN index
  (migration 0017); ranked by `ts_rank`.
- SQLite: an FTS5 table with the documents as its external content, kept in step by
  triggers on `search_documents` (migration 0017); ranked by `bm25`.

Highlights are made here, from the original texts and the same `terms`, so both databases
mark the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from sqlalchemy import ForeignKey, Insert, Subquery, Table, Text, column, func, literal_column, select, table, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.events import Event
from models.persian import terms, written_words
from models.tickets import Ticket, TicketEvent, TicketStatus

SEARCHED_EVENTS = (Event.NOTE, Event.CITIZEN_ASKED, Event.CITIZEN_ANSWERED, TicketStatus.RESOLVED.value)
"""Timeline entries whose note is searched besides the complaint's own text (which holds the
citizen's later texts too): notes, questions to the citizen, their answers, results."""
MAX_WORDS = 8
"""Words of a query used at most (the rest are left out)."""
SNIPPET_WORDS = 16
"""Words of context shown around the first match."""
REINDEX_BATCH = 2000
"""Tickets whose documents `reindex` rebuilds in one statement."""
COMMON_SHARE = 0.01
"""A word in this share of the documents or more is matched whole on PostgreSQL (see above)."""
COMMON_FROM = 10_000
"""Documents PostgreSQL must count (by its statistics) before common words are matched whole:
below it every prefix is cheap to expand."""

OUTSIDE_METADATA = frozenset({
    # SQLite: the FTS5 table and the shadow tables FTS5 makes for it.
    "search_fts", "search_fts_data", "search_fts_idx", "search_fts_docsize", "search_fts_config",
    # PostgreSQL: the generated tsvector column and its GIN index.
    "terms", "ix_search_documents_terms",
})
"""Search objects the migration makes for one database only, outside the models' metadata."""

_FTS = table("search_fts", column("rowid"))
_TERMS = literal_column("search_documents.terms")


class SearchDocument(Base):
    """A ticket's searchable words (see the module's docstring)."""

    __tablename__ = "search_documents"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    body: Mapped[str] = mapped_column(Text, default="")
    """`models.persian.terms` of each text, space-separated, in the order they came."""


def include_name(name: str | None, type_: str, _parents: object = None) -> bool:
    """Alembic's filter: leave out the search objects that live outside the metadata."""
    return not (type_ in ("table", "column", "index") and name in OUTSIDE_METADATA)


def add(session: Session, ticket_id: int, words_of: str | None) -> None:
    """Add the words of a text to the ticket's document, in the caller's transaction (one
    statement: concurrent additions to one ticket do not lose each other's words)."""
    add_words(session, ticket_id, words(words_of))


def words(text: str | None) -> str:
    """What a ticket's document holds of a text: its `terms`, space-separated."""
    return " ".join(terms(text or ""))


def add_words(session: Session, ticket_id: int, found: str) -> None:
    """`add` for `words` already read (nothing when there are none)."""
    if not found:
        return
    connection = session.connection()
    connection.execute(_ADD[connection.dialect.name], {"ticket_id": ticket_id, "body": found})


def _add(insert: Callable[[Table], Insert]) -> Insert:
    new = insert(SearchDocument.__table__)
    return new.on_conflict_do_update(index_elements=[SearchDocument.ticket_id],
                                     set_={"body": SearchDocument.body + " " + new.excluded.body})


_ADD = {"postgresql": _add(pg_insert), "sqlite": _add(sqlite_insert)}
"""`add`'s statement on each database, built once (every ticket's intake runs it)."""


def query_words(typed: str) -> tuple[str, ...]:
    """The words a query searches for (each a prefix), read as documents are; () for none."""
    return tuple(dict.fromkeys(terms(typed)))[:MAX_WORDS]


def matches(session: Session, words: Sequence[str]) -> Subquery:
    """The tickets whose document has every word (as a word's beginning), with a rank
    (higher is better): columns `ticket_id` and `rank`."""
    if session.get_bind().dialect.name == "postgresql":
        common = _common_words(session)
        wanted = (w if any(c.startswith(w) for c in common) else f"{w}:*" for w in words)
        query = func.to_tsquery(literal_column("'simple'"), " & ".join(wanted))
        found = select(SearchDocument.ticket_id.label("ticket_id"),
                       func.ts_rank(_TERMS, query).label("rank")).where(_TERMS.op("@@")(query))
    else:
        wanted = " AND ".join(f'"{w}"*' for w in words)
        found = (select(_FTS.c.rowid.label("ticket_id"), (-func.bm25(literal_column("search_fts"))).label("rank"))
                 .select_from(_FTS).where(text("search_fts MATCH :wanted").bindparams(wanted=wanted)))
    return found.subquery("matches")


def _common_words(session: Session) -> list[str]:
    """The words in COMMON_SHARE of the documents or more, as PostgreSQL's statistics of the
    search column have them (ANALYZE, which autovacuum runs, keeps them); none before that,
    nor while it counts fewer than COMMON_FROM documents."""
    return list(session.scalars(text(
        "SELECT word FROM pg_stats, unnest(most_common_elems::text::text[], most_common_elem_freqs) AS m(word, share) "
        "WHERE schemaname = current_schema() AND tablename = 'search_documents' AND attname = 'terms' "
        "AND word IS NOT NULL AND share >= :share "
        "AND (SELECT reltuples FROM pg_class WHERE oid = to_regclass('search_documents')) >= :least"),
        {"share": COMMON_SHARE, "least": COMMON_FROM}))


def highlight(written: str, words: Sequence[str]) -> list[tuple[str, bool]]:
    """`written` cut into pieces, each saying whether it is a word the query found."""
    pieces: list[tuple[str, bool]] = []
    last = 0
    for start, end in written_words(written):
        if _found(written[start:end], words):
            if start > last:
                pieces.append((written[last:start], False))
            pieces.append((written[start:end], True))
            last = end
    if last < len(written):
        pieces.append((written[last:], False))
    return pieces


def snippet(written: str, words: Sequence[str]) -> list[tuple[str, bool]] | None:
    """Some SNIPPET_WORDS words of `written` around its first found word, highlighted (an
    ellipsis where it is cut); None when no word of it was found."""
    spans = written_words(written)
    first = next((n for n, (a, b) in enumerate(spans) if _found(written[a:b], words)), None)
    if first is None:
        return None
    begin = max(first - SNIPPET_WORDS // 4, 0)
    end = min(begin + SNIPPET_WORDS, len(spans)) - 1
    start, stop = (0 if begin == 0 else spans[begin][0]), (len(written) if end == len(spans) - 1 else spans[end][1])
    pieces = highlight(" ".join(written[start:stop].split()), words)
    return [("… ", False)] * (start > 0) + pieces + [(" …", False)] * (stop < len(written))


@dataclass(frozen=True)
class Excerpt:
    """Where a ticket matched, and the words around it."""

    source: str
    """"text" (the complaint) or the kind of timeline entry (a note, a result ...)."""
    pieces: list[tuple[str, bool]]


def excerpts(session: Session, tickets: Iterable[Ticket], words: Sequence[str]) -> dict[int, Excerpt]:
    """For each ticket, its first text (the complaint, then the timeline's, newest first)
    with a found word, cut around it."""
    tickets = list(tickets)
    notes: dict[int, list[tuple[str, str]]] = {}
    for ticket_id, kind, note in session.execute(
            select(TicketEvent.ticket_id, TicketEvent.kind, TicketEvent.note)
            .where(TicketEvent.ticket_id.in_([t.id for t in tickets]), TicketEvent.kind.in_(SEARCHED_EVENTS),
                   TicketEvent.note.is_not(None)).order_by(TicketEvent.id.desc())):
        notes.setdefault(ticket_id, []).append((kind, note))
    found: dict[int, Excerpt] = {}
    for ticket in tickets:
        for source, written in [("text", ticket.text or ""), *notes.get(ticket.id, [])]:
            pieces = snippet(written, words)
            if pieces is not None:
                found[ticket.id] = Excerpt(source, pieces)
                break
    return found


def document(texts: Iterable[str | None]) -> str:
    """The document of a ticket with these texts (its complaint, then its searched notes)."""
    return " ".join(w for t in texts for w in terms(t or ""))


def reindex(session: Session) -> int:
    """Rebuild every ticket's document from its texts (after the normaliser changed, or to
    fill them in); in the caller's transaction. How many documents were written."""
    written, after = 0, 0
    while True:
        batch = session.execute(select(Ticket.id, Ticket.text).where(Ticket.id > after)
                                .order_by(Ticket.id).limit(REINDEX_BATCH)).all()
        if not batch:
            return written
        after = batch[-1].id
        written += _rewrite(session, batch)


def _rewrite(session: Session, batch: list) -> int:
    notes: dict[int, list[str]] = {}
    for ticket_id, note in session.execute(
            select(TicketEvent.ticket_id, TicketEvent.note)
            .where(TicketEvent.ticket_id.in_([row.id for row in batch]), TicketEvent.kind.in_(SEARCHED_EVENTS),
                   TicketEvent.note.is_not(None)).order_by(TicketEvent.id)):
        notes.setdefault(ticket_id, []).append(note)
    rows = [{"ticket_id": row.id, "body": document([row.text, *notes.get(row.id, [])])} for row in batch]
    rows = [r for r in rows if r["body"]]
    session.execute(SearchDocument.__table__.delete().where(
        SearchDocument.ticket_id.in_([row.id for row in batch])))
    if rows:
        session.execute(SearchDocument.__table__.insert(), rows)
    return len(rows)


def _found(word: str, words: Sequence[str]) -> bool:
    return any(term.startswith(w) for term in terms(word) for w in words)
