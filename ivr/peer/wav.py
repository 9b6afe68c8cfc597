"""8 kHz mono 16-bit WAV files, as Asterisk writes them for `RECORD FILE … wav` and MixMonitor."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path
from typing import Sequence

RATE = 8000
HEADER = 44
"""Bytes before the samples: RIFF, fmt (PCM, mono, 8 kHz, 16-bit) and data chunk headers."""

HUM = b"".join(
    int(3000 * math.sin(2 * math.pi * 220 * n / RATE) + 1500 * math.sin(2 * math.pi * 330 * n / RATE))
    .to_bytes(2, "little", signed=True)
    for n in range(RATE // 2)
)
"""Half a second of a quiet two-tone hum: a stand-in for a voice that any player can play."""


def write(path: Path, samples: int, sounds: Sequence[tuple[int, bytes]] = ((0, HUM),)) -> None:
    """Write a WAV of `samples` samples to `path`: each of `sounds` (16-bit samples) from its
    sample offset on, silence elsewhere (by default the hum, then silence).

    The silence is left as holes in the file (zeros the file system does not store), so a
    three-minute take costs no more to write than a short one."""
    size = 2 * max(samples, 0)
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", HEADER - 8 + size, b"WAVE", b"fmt ", 16, 1, 1,
                         RATE, 2 * RATE, 2, 16, b"data", size)
    with open(path, "wb") as out:
        out.write(header)
        for offset, sound in sounds:
            start = 2 * max(offset, 0)
            out.seek(HEADER + start)
            out.write(sound[:max(size - start, 0)])
        out.truncate(HEADER + size)


def frames(path: Path) -> int:
    """How many samples a WAV file holds."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes()


def samples(path: Path) -> bytes:
    """The 16-bit samples of an 8 kHz mono WAV file (as `ivr.render` writes them)."""
    with wave.open(str(path), "rb") as wav:
        if (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) != (RATE, 1, 2):
            raise ValueError(f"{path} is not 8 kHz mono 16-bit")
        return wav.readframes(wav.getnframes())
