"""`make test` sets up what the browser tests need, as `voice-tools` does for the prompts.

make runs here with a PATH of stand-ins for the system tools it consults (chromium,
chromium-browser, dpkg, id, apt-get): the machine's real ones would install packages.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")
NEEDED = ("cat", "cksum", "cut")  # what the Makefile runs as it is read


def _tool(folder: Path, name: str, script: str = "exit 0") -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)


@pytest.fixture
def tools(tmp_path: Path):
    """A folder for the PATH, with the plain tools make needs and an apt-get that logs."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in NEEDED:
        (folder / name).symlink_to(shutil.which(name))
    log = tmp_path / "apt.log"
    _tool(folder, "id", 'echo "${FAKE_UID:-0}"')
    # The first install fails, as on a machine whose package lists were never read.
    _tool(folder, "apt-get", f'echo "$*" >> {log}\n'
                             f'[ "$1" = update ] && : > {tmp_path}/updated\n'
                             f'[ "$1" = update ] || [ -e {tmp_path}/updated ] || exit 100')
    return folder, log


def _make(target: str, folder: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([MAKE, "-s", "-C", str(ROOT), target], env={"PATH": str(folder), **env},
                          capture_output=True, text=True, timeout=30)


def _apt_calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.parametrize("browser", ["chromium", "chromium-browser"])
def test_either_chromium_with_the_fonts_is_enough(tools, browser):
    folder, log = tools
    _tool(folder, browser)
    _tool(folder, "dpkg")  # says fonts-noto-core is installed
    done = _make("browser-tools", folder)
    assert (done.returncode, done.stdout, _apt_calls(log)) == (0, "", [])


def test_as_root_the_missing_browser_is_installed_with_the_fonts(tools):
    folder, log = tools
    done = _make("browser-tools", folder)
    assert done.returncode == 0
    assert done.stdout == "installing chromium fonts-noto-core (the console's browser tests)\n"
    assert _apt_calls(log) == ["install -y -q chromium fonts-noto-core", "update -q",
                               "install -y -q chromium fonts-noto-core"]


def test_missing_fonts_alone_are_installed_too(tools):
    folder, log = tools
    _tool(folder, "chromium")
    _tool(folder, "dpkg", 'exit 1')  # fonts-noto-core is not installed
    assert _make("browser-tools", folder).returncode == 0
    assert _apt_calls(log)[-1] == "install -y -q chromium fonts-noto-core"


def test_not_as_root_it_says_what_to_run_and_goes_on(tools):
    folder, log = tools
    done = _make("browser-tools", folder, FAKE_UID="1000")
    assert done.returncode == 0 and _apt_calls(log) == []
    assert done.stdout == ("NOTE: the console's browser tests need chromium fonts-noto-core: "
                           "sudo apt-get install chromium fonts-noto-core\n")


def test_a_failed_install_says_so_and_goes_on(tools):
    folder, log = tools
    _tool(folder, "apt-get", f'echo "$*" >> {log}; exit 100')
    done = _make("voice-tools", folder)
    assert done.returncode == 0 and _apt_calls(log) == ["install -y -q espeak-ng sox", "update -q"]
    assert done.stdout.splitlines()[-1] == ("NOTE: could not install espeak-ng sox (the voice prompts): "
                                            "apt-get install espeak-ng sox")


def test_make_test_sets_up_the_browser_tools_before_the_suite():
    planned = subprocess.run([MAKE, "-n", "-C", str(ROOT), "test"], capture_output=True, text=True,
                             timeout=30).stdout
    assert planned.index("fonts-noto-core") < planned.index("-m pytest")


def test_as_root_a_missing_systemd_analyze_is_installed_for_the_unit_checks(tools):
    folder, log = tools
    done = _make("unit-tools", folder)
    assert done.returncode == 0 and done.stdout == "installing systemd (the systemd unit checks)\n"
    assert _apt_calls(log)[-1] == "install -y -q systemd"
    _tool(folder, "systemd-analyze")
    assert _make("unit-tools", folder).stdout == ""


def test_make_test_sets_up_the_unit_tools_before_the_suite():
    planned = subprocess.run([MAKE, "-n", "-C", str(ROOT), "test"], capture_output=True, text=True,
                             timeout=30).stdout
    assert planned.index("apt-get install -y -q systemd") < planned.index("-m pytest")


def test_make_run_sends_texts_to_the_local_twilio_compatible_server():
    planned = subprocess.run([MAKE, "-n", "-s", "-C", str(ROOT), "run"], capture_output=True, text=True,
                             timeout=30).stdout
    assert planned.splitlines()[-1].endswith("/foad serve --local-twilio")


def test_the_pdf_tools_are_left_alone_when_installed_and_installed_when_not(tools):
    folder, log = tools
    _tool(folder, "dpkg")  # Pango, the fonts and poppler-utils are installed
    assert (_make("pdf-tools", folder).stdout, _apt_calls(log)) == ("", [])
    _tool(folder, "dpkg", "exit 1")
    done = _make("pdf-tools", folder)
    assert done.returncode == 0 and done.stdout == ("installing libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core "
                                                    "poppler-utils (the report card PDFs)\n")
    assert _apt_calls(log)[-1] == "install -y -q libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core poppler-utils"


@pytest.mark.parametrize("target, runs", [("test", "-m pytest"), ("run", "foad serve")])
def test_make_test_and_make_run_set_up_the_pdf_tools_first(target, runs):
    planned = subprocess.run([MAKE, "-n", "-C", str(ROOT), target], capture_output=True, text=True,
                             timeout=30).stdout
    assert planned.index("poppler-utils") < planned.index(runs)
