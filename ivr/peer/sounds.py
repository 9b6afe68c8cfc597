"""Which sound files the simulated Asterisk can play, and how long each is."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ivr.peer import wav

DEFAULT_SAMPLES = 16000
"""The length of a sound we know nothing about: two seconds."""


@dataclass(frozen=True)
class Found:
    """A sound Asterisk would play: how long it is, and the file it came from (None when the
    peer has no folder and makes the length up)."""

    samples: int
    file: Path | None = None


@dataclass(frozen=True)
class Sounds:
    """Asterisk's sounds: a folder laid out `<language>/<name>.wav`, or (without one) every
    name but `missing`. Absolute names are files on disk, as in Asterisk."""

    root: Path | None = None
    missing: frozenset[str] = frozenset()
    lengths: Mapping[str, int] = field(default_factory=dict)
    """Samples per sound name, where a test needs an exact `endpos`."""

    def find(self, name: str, language: str) -> Found | None:
        """What `name` plays in `language`; None when Asterisk would not find it."""
        if name.startswith("/"):
            return _file(Path(f"{name}.wav"))
        if name in self.missing:
            return None
        if self.root is None:
            return Found(self.lengths.get(name, DEFAULT_SAMPLES))
        # Asterisk looks in the channel's language, then in the default language (en).
        for folder in (language, "en"):
            found = _file(self.root / folder / f"{name}.wav")
            if found is not None:
                return found
        return None


def _file(path: Path) -> Found | None:
    try:
        return Found(wav.frames(path), path)
    except (OSError, EOFError, wav.wave.Error):
        return None
