"""8 kHz mono 16-bit WAV files, as Asterisk writes them for `RECORD FILE … wav` and MixMonitor."""

from __future__ import annotations

import math
import wave
from pathlib import Path

RATE = 8000

# One second of a quiet two-tone hum: a stand-in for a voice that any player can play.
_SECOND = b"".join(
    int(3000 * math.sin(2 * math.pi * 220 * n / RATE) + 1500 * math.sin(2 * math.pi * 330 * n / RATE))
    .to_bytes(2, "little", signed=True)
    for n in range(RATE)
)


def write(path: Path, samples: int) -> None:
    """Write `samples` samples of audio to `path` (a real WAV file any player opens)."""
    whole, rest = divmod(max(samples, 0), RATE)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(_SECOND * whole + _SECOND[: rest * 2])


def frames(path: Path) -> int:
    """How many samples a WAV file holds."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes()
