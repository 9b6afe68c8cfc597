"""Files at rest under attack: another account on the machine reading the database, the
recordings or the attachments."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from click.testing import CliRunner

from foad.cli import main
from ivr import folders
from models.settings import Settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def upgrade(data_dir: Path):
    """`foad db upgrade` on the default SQLite database of `data_dir`."""
    return CliRunner().invoke(main, ["db", "upgrade"], env={"FOAD_DATA_DIR": str(data_dir), "DATABASE_URL": None,
                                                          "FOAD_SECRET_KEY": None})


def test_a_fresh_install_keeps_its_data_from_other_accounts(tmp_path):
    data = tmp_path / "data"
    done = upgrade(data)
    assert done.exit_code == 0, done.output
    assert mode(data) == 0o750 and mode(data / "foad.sqlite3") == 0o600 and mode(data / "secret_key") == 0o600
    assert all(mode(p) & 0o007 == 0 for p in data.iterdir())  # the -wal and -shm files too


def test_an_upgrade_takes_world_access_away_from_an_older_database(tmp_path):
    data = tmp_path / "data"
    upgrade(data)
    os.chmod(data / "foad.sqlite3", 0o664)  # as SQLite left it before, with the group an operator gave
    assert upgrade(data).exit_code == 0
    assert mode(data / "foad.sqlite3") == 0o660


def test_recording_folders_are_the_engines_and_asterisks_only(tmp_path):
    settings = Settings(data_dir=tmp_path / "fresh", database_url="sqlite://", redis_url=None)
    folders.prepare(settings)
    for folder in (settings.recordings_dir, settings.recordings_dir / "calls", settings.recordings_dir / "voice"):
        assert mode(folder) == 0o2770, folder  # group foad (Asterisk's too), nobody else, whatever the files' modes
