"""The folders Asterisk writes into are made group-writable with setgid, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Iterator

import pytest

from ivr.folders import SHARED_MODE, prepare, shared_folder


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def strict_umask() -> Iterator[None]:
    """The engine started with a umask that would shut Asterisk's user out."""
    previous = os.umask(0o077)
    yield
    os.umask(previous)


def test_the_engine_makes_the_shared_folders_before_the_first_call(settings, strict_umask):
    prepare(settings)

    for folder in (settings.recordings_dir, settings.recordings_dir / "calls",
                   settings.recordings_dir / "voice", settings.sounds_dir / "results"):
        assert mode(folder) == SHARED_MODE == 0o2770, folder


def test_a_callers_take_lands_in_a_shared_folder(dial, settings, strict_umask):
    placed = dial("02188776655", "1 3 2 # 1")

    assert placed.intake.recorded[0].parent == settings.recordings_dir / "voice"
    assert mode(settings.recordings_dir / "voice") == 0o2770 and mode(settings.recordings_dir) == 0o2770


def test_a_folder_the_operator_made_is_left_alone(tmp_path, strict_umask):
    own = tmp_path / "recordings"
    own.mkdir(mode=0o750)
    os.chmod(own, 0o750)

    shared_folder(own / "voice")
    assert (mode(own), mode(own / "voice")) == (0o750, 0o2770)
