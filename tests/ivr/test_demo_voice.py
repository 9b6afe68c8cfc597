"""`foad call` speaks: the caller's take and the whole-call recording hold a complaint spoken
in Persian by espeak-ng, so the console replays speech; without espeak-ng, a hum, and it says so."""

from __future__ import annotations

import array
import math

from sqlalchemy import select

from ivr.peer import wav
from ivr.peer.voice import COMPLAINT
from ivr.render import render
from models.calls import Call
from tests.ivr.test_commands import invoke

WINDOW = 400
"""Samples in a window of the loudness measure: 50 ms."""
VOICED_RMS = 300
"""A window louder than this (about -40 dBFS) has sound in it; espeak-ng's pauses fall below."""


def voiced_share(samples: bytes) -> float:
    """The share of 50 ms windows with sound in them."""
    values = array.array("h", samples)
    windows = [values[n:n + WINDOW] for n in range(0, len(values) - WINDOW + 1, WINDOW)]
    loud = [w for w in windows if math.sqrt(sum(v * v for v in w) / WINDOW) > VOICED_RMS]
    return len(loud) / len(windows)


def recordings(settings, session) -> tuple[bytes, bytes]:
    call = session.scalars(select(Call)).one()
    assert call.ticket is not None and call.voice_path and call.recording_path
    return (wav.samples(settings.recordings_dir / call.voice_path),
            wav.samples(settings.recordings_dir / call.recording_path))


def test_the_demo_caller_speaks_the_complaint_into_both_recordings(settings, fastagi, session, tmp_path):
    rendered = tmp_path / "complaint.wav"
    render(COMPLAINT, "fa", rendered)
    speech = wav.samples(rendered)

    result = invoke(settings, "call", "--from", "02188776655", "--keys", "1 3 2 # 1",
                    "--port", str(fastagi.port), "--quiet")

    assert result.exit_code == 0, result.output
    assert "the caller spoke a complaint in Persian into the recording" in result.output
    take, whole = recordings(settings, session)
    assert len(take) == len(speech)  # the caller talks as long as the speech, then presses #
    assert voiced_share(take) > 0.6
    assert len(whole) > len(take) and whole.find(take) % 2 == 0  # the take, word for word, in the call
    assert voiced_share(whole) > 0.6 * len(take) / len(whole)


def test_without_espeak_ng_the_caller_hums_and_the_call_says_so(settings, fastagi, session, tmp_path):
    result = invoke(settings, "call", "--from", "02188776655", "--keys", "1 3 2 # 1",
                    "--port", str(fastagi.port), "--quiet", PATH=str(tmp_path))

    assert result.exit_code == 0, result.output
    assert ("the caller hummed instead of speaking: espeak-ng and sox not found; "
            "install them with: sudo apt-get install espeak-ng sox") in result.output
    take, whole = recordings(settings, session)
    assert len(take) == 4 * wav.RATE * 2 and take.startswith(wav.HUM)  # 4 s: half a second of hum
    assert voiced_share(take) < 0.2 and whole.startswith(wav.HUM)
