"""The pyst2 adapter against the peer: quoting, hang-ups, recordings, missing prompts."""

from __future__ import annotations

import contextlib
import io
import logging
import pprint
import re
import signal
import socket
import threading
from pathlib import Path
from typing import Iterator

import pytest
from asterisk import agi as pyst2

from ivr.agi import DEAD_CHANNEL_COMMANDS, AgiCall, quote, text_streams
from ivr.control import Ending, Hangup, ProtocolError
from ivr.peer.arguments import split_args
from ivr.peer.channel import DEAD_OK, Channel
from ivr.peer.dial import converse
from ivr.peer.script import Caller, parse
from ivr.peer.setup import Setup
from ivr.peer.sounds import Sounds
from tests.ivr.test_peer_transcripts import sessions

INJECTION = 'x"\nEXEC System touch /tmp/pwned'


@contextlib.contextmanager
def talking_to(channel: Channel) -> Iterator[AgiCall]:
    """An AgiCall whose other end is the peer playing `channel`, over a real socket pair."""
    ours, theirs = socket.socketpair()
    peer = threading.Thread(target=converse, args=(channel, theirs.fileno(), theirs.sendall))
    peer.start()
    call = AgiCall.over_socket(ours)
    try:
        yield call
    finally:
        call.close()
        ours.close()
        peer.join()
        theirs.close()


def channel(script: str = "", *, hangup_at: int | None = None, **sounds) -> Channel:
    """A peer channel on the intake route, with a caller doing `script`."""
    return Channel(Setup(script="intake?line=128", caller_id="09121234567"),
                   Caller(parse(script), hangup_at), Sounds(**sounds))


@pytest.mark.parametrize("value", [
    'plain', 'a "quoted" word', 'back\\slash', 'ends with \\', '"', '\\"', 'two\nlines',
    'cr\rlf\r\n', INJECTION, '\x00nul\x7fdel', 'مهدی "م" \\ ت', '',
])
def test_a_quoted_value_is_one_argument_to_asterisk(value):
    words = split_args(f"SET VARIABLE X {quote(value)}")

    expected = "".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in value)
    assert words == ["SET", "VARIABLE", "X", expected]


_WORD = re.compile(r'"(?:\\.|[^"\\])*"|\S+')


def sent_quoted_words() -> list[bytes]:
    """Every quoted word the probe sent to the real Asterisk 22 in the captured sessions."""
    return [word.encode() for session in sessions() for kind, line in session.steps if kind == "cmd"
            for word in _WORD.findall(line.decode()) if word.startswith('"')]


def test_quote_writes_each_value_as_it_was_sent_to_the_real_asterisk():
    words = sent_quoted_words()

    assert {b'""', b'"12#"', b'"a \\"quoted\\" \\\\ value"', b'"hi there"', b'"CHANNEL(language)"'} <= set(words)
    for word in words:
        (value,) = split_args(word.decode()) or [""]
        assert quote(value).encode() == word


def test_a_value_quoted_as_asterisk_read_it_back():
    """The captured SET VARIABLE, and the value the real Asterisk then answered to GET VARIABLE."""
    main = next(s for s in sessions() if s.name == "old/02-probe-main")
    sent = next(line for kind, line in main.steps if line.startswith(b"SET VARIABLE TESTVAR "))
    answered = main.answers[[line for _, line in main.steps].index(b"GET VARIABLE TESTVAR\n")]

    value = answered.decode().removeprefix("200 result=1 (").removesuffix(")\n")
    assert value == 'a "quoted" \\ value'
    assert f"SET VARIABLE TESTVAR {quote(value)}\n".encode() == sent


def test_a_command_of_quoted_words_is_one_asterisk_accepted():
    extras = next(s for s in sessions() if s.name == "old/08-probe-extras")
    line = " ".join(map(quote, ("GET", "VARIABLE", "CHANNEL(language)"))) + "\n"

    index = [data for _, data in extras.steps].index(line.encode())
    assert extras.answers[index] == b"200 result=1 (en)\n"


def test_an_injection_attempt_stays_inside_its_value():
    peer = channel()
    with talking_to(peer) as call:
        call.set_variable("FOAD_NOTE", INJECTION)
        assert call.get_variable("FOAD_NOTE") == 'x" EXEC System touch /tmp/pwned'

    assert peer.executed == []
    assert peer.sent == ['SET VARIABLE "FOAD_NOTE" "x\\" EXEC System touch /tmp/pwned"',
                                             'GET VARIABLE "FOAD_NOTE"']


def test_pyst2_alone_would_run_the_injected_command():
    """Why the adapter quotes everything itself: pyst2 0.5.1's set_variable escapes nothing."""
    peer = channel()
    ours, theirs = socket.socketpair()
    thread = threading.Thread(target=converse, args=(peer, theirs.fileno(), theirs.sendall))
    thread.start()
    reader, writer = text_streams(ours.makefile("rb"), ours.makefile("wb"))
    previous = signal.getsignal(signal.SIGHUP)
    try:
        raw = pyst2.AGI(stdin=reader, stdout=writer, stderr=io.StringIO())
        raw.set_variable("FOAD_NOTE", INJECTION)
    finally:
        signal.signal(signal.SIGHUP, previous)
        reader.close(), writer.close(), ours.close()
        thread.join()
        theirs.close()
    assert peer.executed == [["System", "touch", "/tmp/pwned"]]


def test_a_hangup_line_instead_of_a_reply_is_noted_and_skipped():
    peer = channel(hangup_at=1)
    with talking_to(peer) as call:
        call.set_variable("A", "1")  # still works on a dead channel
        assert call.hung_up
        with pytest.raises(Hangup):
            call.play("foad/welcome")
        with pytest.raises(Hangup):
            call.collect_digits("foad/main_menu", 1, 5000)
        call.hangup()  # nothing to do on a channel already gone
        assert call.get_variable("A") == "1"  # variables still work

    # Only the commands a dead channel takes went out: none waited for a 511.
    assert peer.sent == ['SET VARIABLE "A" "1"', 'GET VARIABLE "A"']


def test_the_adapter_sends_after_a_hangup_only_what_asterisk_still_runs():
    assert {tuple(c.lower().split()) for c in DEAD_CHANNEL_COMMANDS} <= DEAD_OK


def test_hanging_up_during_a_menu_raises_and_keeps_the_link_in_step():
    with talking_to(channel("h")) as call:
        with pytest.raises(Hangup):
            call.collect_digits("foad/main_menu", 1, 5000)
        assert call.get_variable("CHANNEL(language)") == "fa"


def test_asterisk_closing_the_connection_is_a_hangup():
    ours, theirs = socket.socketpair()
    theirs.sendall(Setup(script="intake").env_block())
    theirs.close()
    call = AgiCall.over_socket(ours)
    with pytest.raises(Hangup):
        call.play("foad/welcome")
    call.close()
    ours.close()


def test_a_line_that_is_no_reply_is_a_protocol_error():
    ours, theirs = socket.socketpair()
    theirs.sendall(Setup(script="intake").env_block() + b"agi_callingpres: 0\n")
    call = AgiCall.over_socket(ours)
    with pytest.raises(ProtocolError):
        call.play("foad/welcome")
    call.close()
    ours.close()
    theirs.close()


def test_a_missing_prompt_is_told_apart_from_a_hangup(caplog):
    peer = channel("1", missing=frozenset({"foad/main_menu"}))
    with talking_to(peer) as call:
        assert call.collect_digits("foad/main_menu", 1, 5000) == ""
        assert not call.hung_up
        assert call.collect_digits("foad/other_menu", 1, 5000) == "1"

    assert peer.sent[:2] == ['GET DATA "foad/main_menu" "5000" "1"', "CHANNEL STATUS"]
    assert "sound missing" in caplog.text


def test_keys_and_timeouts_of_get_data():
    with talking_to(channel("12 - 4821#77")) as call:
        assert call.collect_digits("foad/code_ask", 10, 5000) == "12"  # then it timed out
        assert call.collect_digits("foad/code_ask", 10, 5000) == ""
        assert call.collect_digits("foad/code_ask", 10, 5000) == "4821"


def test_a_recording_ended_by_the_hash_key(tmp_path: Path):
    peer = channel("#@7")
    with talking_to(peer) as call:
        take = call.record(str(tmp_path / "take"), max_s=180, silence_s=5)

    assert (take.ending, take.samples, take.path) == (Ending.KEY, 56000, str(tmp_path / "take.wav"))
    assert peer.exchanges[0][0] == f'RECORD FILE "{tmp_path}/take" "wav" "#" "180000" "0" "BEEP" "s=5"'


def test_a_recording_ended_by_silence_or_by_its_maximum_length(tmp_path: Path):
    with talking_to(channel("-@3 #@200")) as call:
        silent = call.record(str(tmp_path / "a"), max_s=180, silence_s=5)
        long = call.record(str(tmp_path / "b"), max_s=180, silence_s=5)

    assert (silent.ending, silent.seconds) == (Ending.TIMEOUT, 4.0)  # 3 s said, 1 s of silence kept
    assert (long.ending, long.seconds) == (Ending.TIMEOUT, 180.0)


def test_a_hangup_while_recording_returns_what_was_said(tmp_path: Path):
    with talking_to(channel("h@2.5")) as call:
        take = call.record(str(tmp_path / "take"), max_s=180, silence_s=5)
        with pytest.raises(Hangup):
            call.play("foad/review_menu")

    assert (take.ending, take.samples) == (Ending.HANGUP, 20000)
    assert Path(take.path).stat().st_size == 44 + 2 * 20000


def test_a_recording_asterisk_cannot_write_fails_without_hanging_up(tmp_path: Path, caplog):
    with talking_to(channel("#")) as call:
        take = call.record(str(tmp_path / "no-such-dir" / "take"), max_s=180, silence_s=5)
        assert not call.hung_up

    assert (take.ending, take.samples) == (Ending.FAILED, 0)
    assert "could not record" in caplog.text


def test_an_unset_variable_is_none():
    with talking_to(channel()) as call:
        assert call.get_variable("NO_SUCH_VARIABLE") is None
        assert call.get_variable("UNIQUEID") == call.request.uniqueid


def test_pyst2_traces_each_reply_at_debug_and_formats_nothing_otherwise(caplog, monkeypatch):
    formatted: list[object] = []
    real = pprint.pformat
    monkeypatch.setattr(pprint, "pformat", lambda value: formatted.append(value) or real(value))
    with caplog.at_level(logging.INFO, logger="ivr.agi"), talking_to(channel("12")) as call:
        assert call.collect_digits("foad/code_ask", 2, 5000) == "12"
    assert formatted == [] and "RESULT_DICT" not in caplog.text
    with caplog.at_level(logging.DEBUG, logger="ivr.agi"), talking_to(channel("34")) as call:
        assert call.collect_digits("foad/code_ask", 2, 5000) == "34"
    assert formatted == [{"result": ("34", "")}]
    assert "pyst2:     RESULT_DICT: {'result': ('34', '')}" in caplog.text
