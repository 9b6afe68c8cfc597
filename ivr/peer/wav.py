"""8 kHz mono 16-bit WAV files, as Asterisk writes them for `RECORD FILE … wav` and MixMonitor."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 8000
HEADER = 44
"""Bytes before the samples: RIFF, fmt (PCM, mono, 8 kHz, 16-bit) and data chunk headers."""

# Half a second of a quiet two-tone hum: a stand-in for a voice that any player can play.
_HUM = b"".join(
    int(3000 * math.sin(2 * math.pi * 220 * n / RATE) + 1500 * math.sin(2 * math.pi * 330 * n / RATE))
    .to_bytes(2, "little", signed=True)
    for n in range(RATE // 2)
)


def write(path: Path, samples: int) -> None:
    """Write a WAV of `samples` samples to `path`: the hum, then silence.

    The silence is left as a hole in the file (zeros the file system does not store), so a
    three-minute take costs no more to write than a short one."""
    size = 2 * max(samples, 0)
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", HEADER - 8 + size, b"WAVE", b"fmt ", 16, 1, 1,
                         RATE, 2 * RATE, 2, 16, b"data", size)
    with open(path, "wb") as out:
        out.write(header + _HUM[:size])
        out.truncate(HEADER + size)


def frames(path: Path) -> int:
    """How many samples a WAV file holds."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes()
