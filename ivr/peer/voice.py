"""The demo caller's voice: a complaint in Persian, spoken by espeak-ng, for `foad call`.

The simulated Asterisk plays it into the caller's take (RECORD FILE) and into the whole-call
recording (MixMonitor), so a supervisor replaying a demo call hears a complaint.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from ivr import render
from ivr.peer import wav

COMPLAINT = ("سلام. امروز ساعت نه صبح برای تمدید گواهینامه به دفتر پیشخوان رفتم. "
             "کارمند باجه سه تا ساعت یازده سر کارش نبود و هیچ‌کس جواب نمی‌داد. "
             "لطفاً پیگیری کنید. متشکرم.")
"""What the demo caller says: staff absent from their post, the line's commonest complaint."""


def spoken_complaint() -> bytes:
    """The complaint as 8 kHz mono 16-bit samples; RenderError when espeak-ng and sox cannot
    speak it (the message says why, and how to install them when they are missing)."""
    render.require_tools()
    with tempfile.TemporaryDirectory(prefix="foad-voice-") as folder:
        out = Path(folder) / "complaint.wav"
        try:
            render.render(COMPLAINT, "fa", out)
        except subprocess.SubprocessError as exc:  # a tool that hangs (render's timeout)
            raise render.RenderError(f"espeak-ng or sox did not finish: {exc}") from None
        return wav.samples(out)
