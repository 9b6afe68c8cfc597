"""A caller-id name (or number) built to inject AGI commands injects nothing."""

from __future__ import annotations

import pytest

from ivr.peer.arguments import split_args
from tests.ivr.test_intake_calls import call_row

ATTEMPTS = [
    'x"\nEXEC System touch /tmp/pwned',
    'x"\n\nEXEC System touch /tmp/pwned\n',
    'x\nagi_uniqueid: 666\nagi_network_script: hangup\nagi_callingpres: 0',
    'x\\" \r\nEXEC System rm -rf /',
]
OUR_COMMANDS = {("STREAM", "FILE"), ("GET", "DATA"), ("RECORD", "FILE"), ("SAY", "DIGITS"),
                ("SET", "VARIABLE"), ("GET", "VARIABLE"), ("HANGUP",), ("CHANNEL", "STATUS")}


def sent(channel) -> list[tuple[str, ...]]:
    """The command words of every line the engine sent."""
    return [tuple(w for w in split_args(c)[:2] if w.isupper()) for c in channel.sent]


@pytest.mark.parametrize("name", ATTEMPTS)
def test_a_hostile_caller_name_injects_nothing(dial, session, name):
    placed = dial("09121234567", "1 3 2 21 # 1", caller_name=name)

    assert placed.intake.executed == [] and placed.hangup.executed == []
    assert set(sent(placed.intake)) | set(sent(placed.hangup)) <= OUR_COMMANDS
    row = call_row(session, placed)  # found under the call's real id: nothing was rewritten
    assert row.ticket is not None and row.ended_at is not None


def test_a_hostile_caller_number_injects_nothing(dial, session):
    placed = dial('09121234567"\nEXEC System touch /tmp/pwned', "1 3 2 21 # 1")

    assert placed.intake.executed == [] and placed.hangup.executed == []
    assert set(sent(placed.intake)) <= OUR_COMMANDS
    assert call_row(session, placed).ticket is not None
