"""The call interface flows are written against, and what it reports back.

Flows never see AGI: they play sounds, collect keys, record and hang up through
`CallControl`. `ivr.agi` implements it on pyst2; `Hangup` is how any of them says the
caller has gone (after which only variables can still be read and set).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ivr.agienv import AgiRequest

SAMPLE_RATE = 8000
"""Samples a second of what Asterisk records (8 kHz telephone audio): endpos is in samples."""


class Hangup(Exception):
    """The caller hung up, or the link to Asterisk is gone."""


class ProtocolError(Exception):
    """Asterisk answered something that makes no sense for what we sent (a bug, or a broken link)."""


class Ending(StrEnum):
    """Why a recording stopped."""

    KEY = "key"  # the caller pressed the end key (#)
    TIMEOUT = "timeout"  # the maximum length, or the silence detector
    HANGUP = "hangup"  # the caller hung up; what was said is kept
    FAILED = "failed"  # Asterisk could not write the file


@dataclass(frozen=True)
class Recording:
    """One take of RECORD FILE: where Asterisk wrote it and how much."""

    name: str
    """The file as Asterisk was told it: an absolute path without the extension."""
    fmt: str
    samples: int
    ending: Ending

    @property
    def seconds(self) -> float:
        """How long the take is."""
        return self.samples / SAMPLE_RATE

    @property
    def path(self) -> str:
        """The file on disk."""
        return f"{self.name}.{self.fmt}"


class CallControl(Protocol):
    """What a flow may do with the call it answers."""

    request: AgiRequest

    @property
    def hung_up(self) -> bool:
        """True once Asterisk said the caller is gone."""

    def play(self, sound: str, keys: str = "") -> str:
        """Play `sound`; a key of `keys` pressed meanwhile stops it and is returned ("" if none)."""

    def collect_digits(self, sound: str, max_digits: int, timeout_ms: int) -> str:
        """Play `sound` and collect up to `max_digits` keys (# ends early); "" on silence."""

    def record(self, name: str, *, max_s: int, silence_s: int) -> Recording:
        """Beep, then record to `name` until #, silence or `max_s`; a hangup still returns the take."""

    def say_digits(self, digits: str, keys: str = "") -> str:
        """Speak `digits` one by one in the channel's language."""

    def set_variable(self, name: str, value: str) -> None:
        """Set a channel variable (works after a hangup too)."""

    def get_variable(self, name: str) -> str | None:
        """A channel variable or function value, None when unset (works after a hangup too)."""

    def hangup(self) -> None:
        """End the call from our side."""
