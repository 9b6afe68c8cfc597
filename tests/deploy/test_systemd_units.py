"""The systemd units in deploy/systemd: systemd accepts them (`systemd-analyze verify`, which
`make test` installs), each runs a command the `foad` command really has, with options it
takes, and all share one user, settings file and confinement."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from foad.cli import main
from foad.settings import read_settings

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
SHARED = UNITS / "foad-.service.d" / "10-foad.conf"
"""The drop-in systemd applies to every unit named foad-*."""
INSTALLED = "/opt/foad/.venv/bin/foad"
"""Where docs/operations.md installs the `foad` command."""
SERVICES = sorted(UNITS.glob("*.service"))
UNIT_FILES = [*SERVICES, UNITS / "foad.target"]


def read(path: Path) -> configparser.ConfigParser:
    """A unit file read strictly: sections, `Key=value` lines, no key twice in a section."""
    unit = configparser.ConfigParser(strict=True, interpolation=None, delimiters=("=",),
                                     comment_prefixes=("#", ";"), inline_comment_prefixes=None,
                                     empty_lines_in_values=False)
    unit.optionxform = str  # systemd's keys are case-sensitive
    unit.read_string(path.read_text(), source=str(path))
    return unit


def command_of(unit: configparser.ConfigParser) -> tuple[click.Command, list[str]]:
    """The `foad` sub-command a unit runs and its arguments ($VARIABLES, filled in by systemd
    when it starts, left out)."""
    program, name, *args = shlex.split(unit["Service"]["ExecStart"])
    assert program == INSTALLED
    assert name in main.commands, f"`foad {name}`: the foad command has no such sub-command"
    return main.commands[name], [arg for arg in args if not arg.startswith("$")]


@pytest.mark.parametrize("path", SERVICES, ids=[p.name for p in SERVICES])
def test_each_service_runs_a_foad_command_with_options_it_takes(path: Path):
    unit = read(path)
    command, args = command_of(unit)
    command.make_context(command.name, args)  # a wrong option or argument raises UsageError
    assert unit["Unit"]["Description"] and unit["Install"]["WantedBy"] == "foad.target"


def test_the_shared_drop_in_confines_every_service_and_shares_the_recordings_group():
    service = read(SHARED)["Service"]
    assert {key: service[key] for key in ("User", "Group", "UMask", "EnvironmentFile", "Restart",
                                         "NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp")} == {
        "User": "foad", "Group": "foad", "UMask": "0007", "EnvironmentFile": "/etc/foad/foad.env",
        "Restart": "on-failure", "NoNewPrivileges": "yes", "ProtectSystem": "strict",
        "ProtectHome": "yes", "PrivateTmp": "yes"}
    assert "RestrictSUIDSGID" not in service  # the shared folders carry the setgid bit
    assert read(SHARED)["Unit"]["PartOf"] == "foad.target" and (UNITS / "foad.target").is_file()


def test_the_sample_settings_are_valid_and_their_data_directory_is_writable():
    lines = [line for line in (UNITS / "foad.env").read_text().splitlines() if line and line[0] not in "#;"]
    env = dict(line.split("=", 1) for line in lines)
    settings = read_settings({**env, "FOAD_SECRET_KEY": "not read from the data directory"})
    assert settings.redis_url and settings.database_url.startswith("postgresql://")
    writable = Path(read(SHARED)["Service"]["ReadWritePaths"])
    assert writable in settings.data_dir.parents
    assert settings.data_dir.parent == Path(read(SHARED)["Service"]["WorkingDirectory"])


@pytest.mark.parametrize("name", [p.name for p in UNIT_FILES])
def test_systemd_loads_each_unit_with_the_shared_drop_in(name: str, tmp_path: Path):
    """Read strictly, and as systemd loads it (systemd-analyze; `make test` installs Debian's
    systemd): with the shared drop-in, and `foad` where this test's virtualenv has it (verify
    checks that ExecStart can run)."""
    read(UNITS / name)
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze missing: apt-get install systemd (make test installs it when run as root)",
                    pytrace=False)
    copy = tmp_path / "system"
    shutil.copytree(UNITS, copy)
    for path in copy.glob("*.service"):
        path.write_text(path.read_text().replace(INSTALLED, str(Path(sys.executable).parent / "foad")))
    unit = copy / name.replace("@.", "@1.")  # a template is verified as one of its instances
    done = subprocess.run([analyze, "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
