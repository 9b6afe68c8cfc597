"""The test peer answers byte for byte as the real Asterisk 22 did in the captured sessions."""

from __future__ import annotations

import ast
import io
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ivr.agienv import read_env
from ivr.peer.channel import HANGUP_DELAY_S, NOT_PERMITTED, Channel
from ivr.peer.dial import converse
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


def _hangup_gaps() -> list[float]:
    """Seconds between a failure reply and the `HANGUP` line after it, in the captures."""
    gaps, previous = [], None
    for raw in TRANSCRIPTS.read_text().splitlines():
        match = re.match(r"^\s*([\d.]+) << LINE b'(.*)'$", raw)
        if match and match.group(2) == "HANGUP\\n" and previous is not None:
            gaps.append(float(match.group(1)) - previous)
        failed = match and re.match(r"200 result=(-1|1\\n$)", match.group(2))
        previous = float(match.group(1)) if failed else None
    return gaps


def _as_agi_program(channel: Channel, command: bytes) -> list[tuple[float, bytes]]:
    """Play the peer against a socket held as the AGI program: read its env block, send one
    command, read until the `HANGUP` line, close; each write the peer made after the env
    block, with the moment it made it (as written, not as read: a busy reader could get
    two writes in one read)."""
    ours, theirs = socket.socketpair()
    writes: list[tuple[float, bytes]] = []

    def write(data: bytes) -> None:
        writes.append((time.perf_counter(), data))
        theirs.sendall(data)

    peer = threading.Thread(target=converse, args=(channel, theirs.fileno(), write))
    peer.start()
    with ours, theirs:
        ours.settimeout(5)
        received = b""
        while not received.endswith(b"\n\n"):
            received += ours.recv(65536)
        ours.sendall(command)
        while not received.endswith(b"HANGUP\n"):
            received += ours.recv(65536)
        ours.shutdown(socket.SHUT_WR)  # the program is done: the peer's side ends
        peer.join()
    return writes[1:]


@pytest.mark.parametrize("script, command, reply", [
    ("h@1", b'STREAM FILE "foad/welcome" "12#"\n', b"200 result=-1 endpos=8000\n"),
    ("h", b'GET DATA "foad/main_menu" "5000" "1"\n', b"200 result=-1\n"),
    ("h@2", b'RECORD FILE "{dir}/take" "wav" "#" "180000" "0" "BEEP" "s=5"\n',
     b"200 result=-1 (hangup) endpos=16000\n"),
    ("", b"HANGUP\n", b"200 result=1\n"),
])
def test_the_hangup_line_follows_the_failed_reply_on_its_own_line(script, command, reply, tmp_path):
    channel = Channel(Setup(script="intake?line=128"), Caller(parse(script)))

    (t0, first), (t1, second) = _as_agi_program(channel, command.replace(b"{dir}", str(tmp_path).encode()))

    assert (first, second) == (reply, b"HANGUP\n")  # two writes, as Asterisk makes them
    captured = _hangup_gaps()
    assert len(captured) >= 6 and all(0.04 <= gap < 0.05 for gap in captured)
    assert t1 - t0 >= HANGUP_DELAY_S - 0.005  # quiet that long first (later on a busy machine)


@pytest.mark.parametrize("command", [b"SET CONTEXT foad-128", b"SET EXTENSION s", b"SET PRIORITY 1"])
def test_moving_in_the_dialplan_is_refused_on_a_dead_channel(command):
    channel = Channel(Setup(script="hangup?line=128"), Caller([]))

    assert channel.handle(command).text == "200 result=0\n"
    channel.hang_up()
    assert channel.handle(command).text == NOT_PERMITTED  # res_agi.c: dead = 0
    assert channel.handle(b"GET VARIABLE CHANNEL(language)").text == "200 result=1 (fa)\n"


def test_usage_text_not_captured_is_marked_as_ours():
    channel = Channel(Setup(script="intake?line=128"), Caller([]))

    block = channel.handle(b"GET VARIABLE").text
    assert block.startswith("520-Invalid command syntax.  Proper usage follows:\n")
    assert "was not captured" in block and block.endswith("520 End of proper usage.\n")
