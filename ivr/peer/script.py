"""What the simulated caller does, in order: keys, silence, talking, hanging up.

A script is a string of tokens separated by spaces, each consumed by the next command
that listens for keys (GET DATA, RECORD FILE, WAIT FOR DIGIT, a prompt with escape
digits); a prompt nobody can interrupt plays to its end. (To hang up during one of those,
use `Caller(hangup_at=N)`: a hang-up during, or just before, the Nth command.)
- `1`, `21`, `4821930576#`: keys. A menu (GET DATA) takes the whole token (`#` ends it
  early); a prompt that can be interrupted (STREAM FILE with escape digits) takes it only
  if its first key is one of them; RECORD FILE takes it as "talk, then press this key".
- `-`: silence. A menu times out; RECORD FILE hears nothing and its silence detector ends it.
- `h`: hang up during the next command that listens.
- `@seconds` after any token: when it happens (into a prompt) or how long the caller
  talks (RECORD FILE), e.g. `#@12` talks 12 s then presses #, `h@3` hangs up after 3 s.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from ivr.peer.wav import RATE

_TOKEN = re.compile(r"(?P<act>[0-9*#]+|-|h)(?:@(?P<at>\d+(?:\.\d+)?))?")

DEFAULT_TALK_S = 4.0
"""How long the caller talks when a RECORD FILE token gives no `@seconds` (and the caller
has no voice: then as long as it speaks)."""
DEFAULT_KEY_S = 1.0
"""How far into a prompt the caller presses a key when the token gives no `@seconds`."""


class ScriptError(ValueError):
    """A token the caller script does not understand."""


@dataclass(frozen=True)
class Act:
    """One thing the caller does."""

    keys: str = ""
    """Keys pressed; "" is silence."""
    hangup: bool = False
    at: float | None = None
    """Seconds into the command; None for the default."""


def parse(script: str) -> list[Act]:
    """The acts of a script such as "1 3 2 #@5 1"."""
    acts = []
    for token in script.split():
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise ScriptError(f"{token!r}: use keys (0-9 * #), '-' for silence or 'h' to hang up, "
                              "optionally followed by @seconds")
        act, at = match.group("act"), match.group("at")
        seconds = float(at) if at else None
        acts.append(Act(hangup=True, at=seconds) if act == "h" else
                    Act(keys="" if act == "-" else act, at=seconds))
    return acts


class Caller:
    """The acts still to come, handed out as commands ask for them."""

    def __init__(self, acts: list[Act], hangup_at: int | None = None, voice: bytes = b"") -> None:
        self.acts = deque(acts)
        self.hangup_at = hangup_at
        """Hang up during (or just before) the Nth command, whatever the script says."""
        self.voice = voice
        """What the caller says into a recording (8 kHz 16-bit samples); empty: a hum."""

    def talk_seconds(self) -> float:
        """How long the caller talks into a recording when the script does not say."""
        return len(self.voice) / (2 * RATE) if self.voice else DEFAULT_TALK_S

    def hangup(self) -> Act | None:
        """The next act if it is a hang-up."""
        if self.acts and self.acts[0].hangup:
            return self.acts.popleft()
        return None

    def keys_for(self, escape: str) -> Act | None:
        """The next act if it is keys starting with one of `escape` (an interruptible prompt)."""
        if escape and self.acts and self.acts[0].keys[:1] and self.acts[0].keys[0] in escape:
            return self.acts.popleft()
        return None

    def next(self) -> Act:
        """Whatever comes next; silence once the script is over (a menu that listens)."""
        return self.acts.popleft() if self.acts else Act()
