"""Hot statements run on the driver's cursor (models.lean): what SQLAlchemy would have done,
on both databases: rows and their values' types, the transaction, the events, the errors."""

import importlib
import pkgutil
from datetime import timedelta, timezone

import pytest
from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError

import models
from models.base import utcnow
from models.lean import Lean
from models.messages import Direction, Message, MessageStatus

_MESSAGES = Message.__table__
_RETURNING_ALL = Lean(select(_MESSAGES).where(_MESSAGES.c.id == bindparam("message_id")))
_NEW_NUMBER = Lean(update(_MESSAGES).where(_MESSAGES.c.id == bindparam("message_id"))
                   .values(number=bindparam("number"), updated_at=bindparam("now"))
                   .returning(_MESSAGES.c.id, _MESSAGES.c.updated_at))


def _message(session, **columns) -> Message:
    message = Message(direction=Direction.IN, number="+989121234567", body="سلام", status=MessageStatus.RECEIVED,
                      **columns)
    session.add(message)
    session.commit()
    return message


def test_a_row_comes_back_with_each_value_as_sqlalchemy_gives_it(session):
    message = _message(session, provider_id="SM1", media=[["https://example.org/1.jpg", "image/jpeg"]])
    connection = session.connection()
    ours = _RETURNING_ALL.first(connection, {"message_id": message.id})
    theirs = connection.execute(_RETURNING_ALL.statement, {"message_id": message.id}).one()
    assert tuple(ours) == tuple(theirs)
    assert ours._mapping == dict(theirs._mapping)
    assert ours.created_at.tzinfo is not None and ours.media == [["https://example.org/1.jpg", "image/jpeg"]]
    assert ours.status == MessageStatus.RECEIVED and ours.id == message.id and ours[0] == message.id
    with pytest.raises(AttributeError):
        ours.no_such_column


def test_no_row_is_none_and_a_statement_without_rows_gives_an_empty_list(session):
    connection = session.connection()
    assert _RETURNING_ALL.first(connection, {"message_id": -1}) is None
    plain = Lean(update(_MESSAGES).where(_MESSAGES.c.id == bindparam("message_id")).values(body="x", updated_at=utcnow()))
    assert plain.rows(connection, {"message_id": -1}) == []


def test_it_writes_in_the_sessions_transaction_and_a_rollback_undoes_it(session):
    message = _message(session)
    later = utcnow() + timedelta(minutes=1)
    row = _NEW_NUMBER.first(session.connection(), {"message_id": message.id, "number": "+989350000000", "now": later})
    assert row.id == message.id and row.updated_at == later.astimezone(timezone.utc)
    session.rollback()
    assert session.scalar(select(Message.number).where(Message.id == message.id)) == "+989121234567"
    _NEW_NUMBER.rows(session.connection(), {"message_id": message.id, "number": "+989350000000", "now": later})
    session.commit()
    assert session.scalar(select(Message.number).where(Message.id == message.id)) == "+989350000000"


def test_on_a_connection_with_no_transaction_it_begins_one_as_sqlalchemy_does(runtime):
    with runtime.session() as session:
        message = _message(session)
    with runtime.engine.connect() as connection:
        _NEW_NUMBER.rows(connection, {"message_id": message.id, "number": "+989350000000", "now": utcnow()})
        assert connection.in_transaction()
        connection.rollback()
        assert connection.scalar(select(Message.number).where(Message.id == message.id)) == "+989121234567"


def test_listeners_of_the_engine_see_every_statement(runtime):
    seen: list[str] = []
    listener = lambda _conn, _cursor, statement, *_rest: seen.append(statement)  # noqa: E731
    event.listen(runtime.engine, "before_cursor_execute", listener)
    try:
        with runtime.engine.connect() as connection:
            _RETURNING_ALL.rows(connection, {"message_id": -1})
    finally:
        event.remove(runtime.engine, "before_cursor_execute", listener)
    assert [s for s in seen if s.startswith("SELECT")] == [seen[-1]]  # (SQLite's BEGIN IMMEDIATE is one too)


def test_a_refused_write_raises_sqlalchemys_integrity_error_and_the_session_goes_on(session):
    _message(session, provider_id="SM-taken")
    duplicate = Lean(insert(_MESSAGES).values(
        direction=Direction.IN.value, number="+989121234567", body="دوباره", status=MessageStatus.RECEIVED.value,
        provider_id=bindparam("sid"), created_at=bindparam("now"), updated_at=bindparam("now")))
    with pytest.raises(IntegrityError):
        duplicate.rows(session.connection(), {"sid": "SM-taken", "now": utcnow()})
    session.rollback()
    assert session.scalar(select(Message.id).where(Message.provider_id == "SM-taken")) is not None


def test_a_statement_it_cannot_run_as_sqlalchemy_would_is_refused():
    expanding = Lean(select(_MESSAGES.c.id).where(_MESSAGES.c.status.in_(("sent", "queued"))))
    defaulted = Lean(update(_MESSAGES).where(_MESSAGES.c.id == bindparam("message_id")).values(body="x"))  # updated_at
    for statement, why in ((expanding, "plain binds"), (defaulted, "updated_at")):
        with pytest.raises(TypeError, match=why):
            statement._compile(postgresql.psycopg.dialect())


def _everywhere() -> list[Lean]:
    """Every Lean statement the domain builds at import."""
    found = []
    for module in pkgutil.walk_packages(models.__path__, "models."):
        if module.name.startswith("models.migrations"):
            continue  # Alembic's scripts, run by Alembic only
        imported = importlib.import_module(module.name)
        found += [value for value in vars(imported).values() if isinstance(value, Lean)]
    return found


def test_every_hot_statement_compiles_for_postgresql():
    dialect = postgresql.psycopg.dialect()
    statements = _everywhere()
    assert len(statements) >= 4  # new tickets, a text's take-in, a send's claim and its sent
    for statement in statements:
        statement._compile(dialect)

