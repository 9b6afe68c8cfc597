"""Installing foad prints no setuptools warnings and ships every file it runs on.

setuptools is run on a copy of the sources (its build writes next to them), as pip's
install and wheel builds run it: the same package discovery and package data.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("foad", "models", "ivr", "sms", "worker", "console")
SHIPPED = ("models/migrations", "models/data", "console/templates", "console/static")
"""Folders whose files the engine opens at run time (migrations, the sample, the console's)."""


def _sources(into: Path) -> Path:
    """The files setuptools reads, copied without caches."""
    into.mkdir()
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, into / name)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, into / package, ignore=shutil.ignore_patterns("__pycache__"))
    return into


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def test_the_build_is_quiet_and_ships_migrations_data_and_templates(tmp_path: Path):
    sources = _sources(tmp_path / "src")
    built = tmp_path / "lib"
    # Byte-compiling off (PYTHONDONTWRITEBYTECODE) would be the only warning: the machine's, not ours.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "build_py",
                           "--build-lib", str(built)], cwd=sources, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    said = (done.stdout + done.stderr).splitlines()
    assert [line for line in said if re.search(r"\bwarn", line, re.IGNORECASE)] == []
    for folder in SHIPPED:
        assert _files(ROOT / folder) <= _files(built / folder), folder
    assert (built / "models/migrations/versions/0001_initial.py").is_file()
