"""The test peer answers byte for byte as the real Asterisk 22 did in the captured sessions."""

from __future__ import annotations

import ast
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ivr.agienv import read_env
from ivr.peer.channel import Channel
from ivr.peer.script import Caller, parse
from ivr.peer.setup import Setup
from ivr.peer.sounds import Sounds

TRANSCRIPTS = Path(__file__).parent / "data" / "asterisk-agi-transcripts.txt"
_EVENT = re.compile(r"^\s*[\d.]+ (<< LINE (?P<got>b'.*')|>> (?P<sent>b'.*')|-- (?P<note>.*))$")


@dataclass
class Session:
    """One captured session: the env block, then commands each with the bytes that followed."""

    name: str
    env: bytes = b""
    steps: list[tuple[str, bytes]] = field(default_factory=list)
    """("cmd", line sent) or ("note", text), each followed by what Asterisk sent until the next."""
    answers: list[bytes] = field(default_factory=list)


def sessions() -> list[Session]:
    """The transcripts file, one Session per `=====` block."""
    found: list[Session] = []
    for raw in TRANSCRIPTS.read_text().splitlines():
        if raw.startswith("====="):
            found.append(Session(raw.split()[-1]))
            continue
        match = _EVENT.match(raw)
        if not found or match is None:
            continue
        _add(found[-1], match)
    return found


def _add(session: Session, match: re.Match[str]) -> None:
    if match.group("sent"):
        session.steps.append(("cmd", ast.literal_eval(match.group("sent"))))
        session.answers.append(b"")
    elif match.group("note"):
        session.steps.append(("note", match.group("note").encode()))
        session.answers.append(b"")
    elif not session.steps:
        session.env += ast.literal_eval(match.group("got"))
    else:
        session.answers[-1] += ast.literal_eval(match.group("got"))


SCRIPTS = {
    "old/02-probe-main": "1@2.22 42# 7 #@1.2015",
    "old/04-probe-rechangup": "h@1.4015",
    "old/06-probe-streamhangup": "h@1.52",
    "old/08-probe-extras": "- -",
    "old/02-probe-getdatahangup": "h",
    "old/04-probe-waitdigithangup": "h",
}
"""What the caller did in each session (see ivr.peer.script)."""

HANG_UP_AT_THE_END = {"125326-02-probe-envargs", "125332-04-probe-envargs", "125522-06-probe-envargs"}
"""Sessions whose caller hung up while the program sat idle after its last command."""


def _setup(env: bytes) -> Setup:
    """A Setup rebuilt from the captured env's values, read with the engine's own parser."""
    values = read_env(io.StringIO(env.decode(), newline="\n").readline)
    unknown = lambda v: None if v == "unknown" else v  # noqa: E731
    args = tuple(v for k, v in values.items() if k.startswith("agi_arg_"))
    return Setup(script=values.get("agi_network_script", ""), uniqueid=values["agi_uniqueid"],
                 caller_id=unknown(values["agi_callerid"]), caller_name=unknown(values["agi_calleridname"]),
                 dnid=unknown(values["agi_dnid"]), language=values["agi_language"],
                 channel=values["agi_channel"], context=values["agi_context"],
                 extension=values["agi_extension"], priority=int(values["agi_priority"]),
                 threadid=int(values["agi_threadid"]), args=args)


@pytest.mark.parametrize("session", sessions(), ids=lambda s: s.name)
def test_peer_answers_like_asterisk(session: Session, tmp_path: Path) -> None:
    setup = _setup(session.env)
    assert setup.env_block() == session.env
    # SAY DIGITS "" listens for no key: the caller hangs up during it, the 2nd command.
    hangup_at = 2 if "saydigitshangup" in session.name else None
    channel = Channel(setup, Caller(parse(SCRIPTS.get(session.name, "")), hangup_at),
                      Sounds(missing=frozenset({"no-such-file"}), lengths={"beep": 3404, "demo-congrats": 45000}),
                      database={("fam", "key"): "val"} if "selfhangup" in session.name else {})
    for (kind, data), expected in zip(session.steps, session.answers):
        if kind == "cmd" and (kind, data) == session.steps[-1] and session.name in HANG_UP_AT_THE_END:
            expected = expected.removesuffix(b"HANGUP\n")
        if kind == "cmd":
            command = data[:-1].replace(b"/var/spool/foad", str(tmp_path).encode())
            answer = channel.handle(command).text + channel.take_hangup_line()
        elif data.startswith((b"idle", b"half-close")):
            answer = channel.hang_up()
        else:
            answer = ""
        assert answer.encode() == expected, (kind, data)
    if session.name in HANG_UP_AT_THE_END:
        assert channel.hang_up() == "HANGUP\n"
