"""The folders the engine shares with Asterisk, made so that both can write there.

Asterisk usually runs as its own user (`asterisk`). It writes the whole-call recordings
(MixMonitor, into `recordings/calls/`) and the callers' takes (RECORD FILE, into
`recordings/voice/`), and it reads the rendered results (`sounds/results/`). Put the engine's
user and Asterisk's in one group: every folder the engine makes here is group-writable with
the setgid bit (02770), so files written into it keep that group whatever either umask is;
others get nothing (recordings are personal data, whatever mode Asterisk gives the files).
"""

from __future__ import annotations

import os
from pathlib import Path

from models.settings import Settings

SHARED_MODE = 0o2770
"""rwxrws---: the group writes too, new files and folders inherit the group, others get nothing."""


def shared_folder(path: Path) -> Path:
    """`path`, made if missing (with any missing parents) with SHARED_MODE; folders that
    already exist are left as the operator made them."""
    missing, above = [], path
    while not above.exists() and above != above.parent:
        missing.append(above)
        above = above.parent
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:
            continue  # another call made it a moment ago
        os.chmod(folder, SHARED_MODE)  # mkdir's mode is cut down by the umask; chmod's is not
    return path


def prepare(settings: Settings) -> None:
    """Make the shared folders before the first call, so Asterisk finds them writable."""
    for folder in (settings.recordings_dir / "calls", settings.recordings_dir / "voice",
                   settings.sounds_dir / "results"):
        shared_folder(folder)
