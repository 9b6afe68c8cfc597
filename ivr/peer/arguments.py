"""How Asterisk splits an AGI command line into arguments (res_agi.c's parse_args)."""

from __future__ import annotations

MAX_ARGS = 128
"""Asterisk keeps at most this many arguments (the rest are dropped with a warning)."""


def split_args(line: str) -> list[str]:
    """Words split on spaces and tabs outside quotes; `\\` escapes the next character
    (quoted or not); a bare `"` toggles quoting and vanishes; `""` is an empty word."""
    words: list[str] = []
    current: list[str] | None = None
    quoted = escaped = False
    for ch in line:
        if escaped or (ch not in '"\\ \t'):
            current = _start(words, current)
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
            if quoted and current is None:
                current = _start(words, current)
        elif quoted:  # a space or tab inside quotes
            current = _start(words, current)
            current.append(ch)
        else:
            current = None
    return ["".join(w) for w in words][: MAX_ARGS - 1]


def _start(words: list[list[str]], current: list[str] | None) -> list[str]:
    """The word being built, or a new one."""
    if current is None:
        current = []
        words.append(current)
    return current
