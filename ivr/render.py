"""`foad prompts build`: the catalog spoken by espeak-ng and turned by sox into 8 kHz mono WAV.

Files go where Asterisk looks for them (`<sounds>/<language>/foad/<id>.wav`, and
`digits/<n>.wav` for SAY DIGITS). A manifest remembers what each file says, so a rebuild
only renders prompts whose words changed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from ivr.prompts import LANGUAGES, Prompt

VOICES = {"fa": ("fa", 150), "en": ("en-gb", 160)}
"""espeak-ng voice and speed (words a minute) per language."""
TOOLS = ("espeak-ng", "sox")
INSTALL_HINT = "install them with: sudo apt-get install espeak-ng sox"


class RenderError(RuntimeError):
    """The prompts could not be rendered (a missing tool, a failing one)."""


@dataclass(frozen=True)
class BuildReport:
    """What a build did."""

    rendered: int
    unchanged: int
    folder: Path


def missing_tools() -> list[str]:
    """The tools a build needs that are not on PATH."""
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def require_tools() -> None:
    """Raise RenderError, saying how to install them, unless espeak-ng and sox are on PATH."""
    if missing := missing_tools():
        raise RenderError(f"{' and '.join(missing)} not found; {INSTALL_HINT}")


def build(prompts: Mapping[str, Prompt], sounds_dir: Path, *, languages: Iterable[str] = LANGUAGES,
          force: bool = False, jobs: int = 4) -> BuildReport:
    """Render every prompt in every language whose file is missing or says something else now."""
    require_tools()
    manifest_path = sounds_dir / "manifest.json"
    manifest = {} if force or not manifest_path.exists() else json.loads(manifest_path.read_text())
    wanted = {f"{lang}/{p.path}.wav": (p.text(lang), lang) for p in prompts.values() for lang in languages}
    todo = {rel: spec for rel, spec in wanted.items()
            if manifest.get(rel) != _digest(*spec) or not (sounds_dir / rel).exists()}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(lambda item: render(item[1][0], item[1][1], sounds_dir / item[0]), todo.items()))
    manifest.update({rel: _digest(*spec) for rel, spec in todo.items()})
    sounds_dir.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=0, sort_keys=True))
    return BuildReport(len(todo), len(wanted) - len(todo), sounds_dir)


def render(text: str, language: str, out: Path) -> None:
    """Speak `text` into `out`: 8 kHz, mono, 16-bit WAV, normalised; written whole or not at all."""
    voice, speed = VOICES[language]
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    # The text goes on stdin, never as an argument: an agency name could start with "-".
    spoken = _run(["espeak-ng", "-v", voice, "-s", str(speed), "--stdout"], text.encode())
    _run(["sox", "-t", "wav", "-", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer",
          "-t", "wav", str(partial), "norm", "-3"], spoken)
    partial.replace(out)  # Asterisk never sees half a file


def _run(argv: list[str], data: bytes) -> bytes:
    try:
        done = subprocess.run(argv, input=data, capture_output=True, check=True, timeout=60)
    except subprocess.CalledProcessError as exc:
        raise RenderError(f"{argv[0]} failed: {exc.stderr.decode(errors='replace').strip()}") from None
    return done.stdout


def _digest(text: str, language: str) -> str:
    voice, speed = VOICES[language]
    return hashlib.sha256(f"{voice}|{speed}|{text}".encode()).hexdigest()[:16]
