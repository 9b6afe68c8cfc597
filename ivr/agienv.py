"""The AGI environment block, read defensively, and the request it describes.

Asterisk writes each `agi_*` value raw, so a caller name holding a newline arrives as
extra lines ("Eve" then "agi_extension: 999\\rx"). pyst2 would take such a line as a new
key and overwrite the real one, and a blank line inside a name would end the block early.
Here a line only starts a new entry if its key is the very one Asterisk sends next in
its fixed order; anything else continues the value before it. (A name that forges every
remaining line and the blank one too would still desynchronise the link: the next reply
would then not parse, and the adapter ends the call.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping
from urllib.parse import parse_qsl

ORDER = (
    "agi_network", "agi_network_script", "agi_request", "agi_channel", "agi_language",
    "agi_type", "agi_uniqueid", "agi_version", "agi_callerid", "agi_calleridname",
    "agi_callingpres", "agi_callingani2", "agi_callington", "agi_callingtns", "agi_dnid",
    "agi_rdnis", "agi_context", "agi_extension", "agi_priority", "agi_enhanced",
    "agi_accountcode", "agi_threadid",
)
"""The keys in the order Asterisk sends them; `agi_arg_1` … follow the last."""

MAX_LINES = 1000
"""More env lines than this is not Asterisk talking."""
MAX_LINE = 8192
"""Characters in one line at most: Asterisk's own AGI line buffer (a longer line is not
Asterisk's, and reading it whole would let any peer fill the memory)."""
MAX_ENV = 64 * 1024
"""Characters in the whole block at most (a real one is under 4 KiB, arguments included)."""

_RANK = {key: rank for rank, key in enumerate(ORDER)}
_SAFE_ID = re.compile(r"[^A-Za-z0-9._-]")
_UNKNOWN = {"", "unknown"}


class EnvError(ValueError):
    """The env block was cut off, never ended, or was longer than Asterisk ever sends."""


def read_env(readline: Callable[[int], str]) -> dict[str, str]:
    """Read the env block up to its blank line; values keep any CR/LF a caller smuggled in.
    `readline(n)` reads one line of at most n characters (a text stream's readline)."""
    env: dict[str, str] = {}
    last: str | None = None
    total = 0
    for _ in range(MAX_LINES):
        line = readline(MAX_LINE + 1)
        total += len(line)
        if not line:
            raise EnvError("the connection closed inside the env block")
        if (len(line) > MAX_LINE and not line.endswith("\n")) or total > MAX_ENV:
            raise EnvError(f"an env line past {MAX_LINE} characters, or a block past {MAX_ENV}")
        line = line[:-1] if line.endswith("\n") else line
        if line == "" and _may_end(last):
            return env
        key, sep, value = line.partition(": ")
        if sep and _comes_next(key, last, env):
            env[key], last = value, key
        elif last is not None:
            env[last] += "\n" + line
    raise EnvError(f"no end of the env block after {MAX_LINES} lines")


def _comes_next(key: str, last: str | None, env: Mapping[str, str]) -> bool:
    """True if `key` is the one Asterisk sends after `last` (the network lines are optional)."""
    if key in env:
        return False
    if key.startswith("agi_arg_"):
        expected = 1 + sum(1 for k in env if k.startswith("agi_arg_"))
        return key == f"agi_arg_{expected}" and _may_end(last)
    allowed = {
        None: ("agi_network", "agi_request"),
        "agi_network": ("agi_network_script", "agi_request"),
    }.get(last)
    if allowed is None:
        allowed = (ORDER[_RANK[last] + 1],) if last in _RANK and last != ORDER[-1] else ()
    return key in allowed


def _may_end(last: str | None) -> bool:
    return last == "agi_threadid" or (last or "").startswith("agi_arg_")


@dataclass(frozen=True)
class AgiRequest:
    """What Asterisk told us about the call, with the values the engine relies on made safe."""

    env: Mapping[str, str]
    program_args: tuple[str, ...] = ()
    """Plain AGI: the arguments Asterisk started the program with (its argv after the name)."""

    @property
    def route(self) -> str:
        """The route: the FastAGI URL's path (`intake` of `agi://h/intake?line=128`),
        or for plain AGI the program's first argument."""
        return self._script.partition("?")[0].strip("/")

    @property
    def params(self) -> dict[str, str]:
        """The URL's query (`line=128`)."""
        return dict(parse_qsl(self._script.partition("?")[2]))

    @property
    def _script(self) -> str:
        # Never `agi_arg_1` of the env: it comes after the caller's name, which can forge it.
        if self.env.get("agi_network") == "yes":
            return self.env.get("agi_network_script", "")
        return self.program_args[0] if self.program_args else ""

    @property
    def uniqueid(self) -> str:
        """Asterisk's ${UNIQUEID}, reduced to characters safe in a file name."""
        return _SAFE_ID.sub("_", self.env.get("agi_uniqueid", ""))[:64] or "unknown"

    @property
    def caller_id(self) -> str | None:
        """The caller's number as sent (intake normalizes it); None when withheld."""
        value = self.env.get("agi_callerid", "")
        return None if value.strip().lower() in _UNKNOWN else value

    @property
    def dnid(self) -> str | None:
        """The number dialled, digits and + only; None when Asterisk does not know it."""
        value = re.sub(r"[^0-9+]", "", self.env.get("agi_dnid", ""))[:40]
        return value or None

    @property
    def language(self) -> str:
        """The channel's language as the dialplan set it."""
        return "en" if self.env.get("agi_language", "").startswith("en") else "fa"
