"""`foad apikeys`: a key shown once and stored hashed, listed by its first characters, revoked."""

from click.testing import CliRunner
from sqlalchemy import select

from foad.cli import main
from models import apikeys
from models.apikeys import ApiKey


def invoke(settings, *args: str):
    env = {"FOAD_DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url}
    return CliRunner().invoke(main, list(args), env=env)


def test_a_key_is_shown_once_stored_hashed_listed_and_revoked(settings, session):
    added = invoke(settings, "apikeys", "add", "fixmystreet")
    assert added.exit_code == 0
    key = added.stdout.strip()
    assert key.startswith("foad_") and len(key) > 40
    row = session.scalars(select(ApiKey)).one()
    assert row.digest == apikeys.digest_of(key) and key not in (row.digest, row.hint)
    assert apikeys.live_key_id(session, key) == row.id
    hint = row.hint
    session.rollback()  # on SQLite a transaction holds the write lock the command needs
    listed = invoke(settings, "apikeys", "list")
    assert listed.output.startswith(f"fixmystreet\t{hint}…") and "live" in listed.output
    assert key not in listed.output
    assert invoke(settings, "apikeys", "revoke", "fixmystreet").exit_code == 0
    session.rollback()
    assert apikeys.live_key_id(session, key) is None
    session.rollback()
    assert "revoked" in invoke(settings, "apikeys", "list").output


def test_a_name_taken_or_unknown_is_refused_clearly(settings):
    assert invoke(settings, "apikeys", "add", "app").exit_code == 0
    again = invoke(settings, "apikeys", "add", "app")
    assert again.exit_code == 1 and "exists already" in again.output
    missing = invoke(settings, "apikeys", "revoke", "nope")
    assert missing.exit_code == 1 and "no live key named 'nope'" in missing.output
