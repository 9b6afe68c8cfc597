"""The dialplans an Asterisk admin includes: their AGI routes exist, caller-id text goes nowhere."""

from __future__ import annotations

import re
from pathlib import Path

from ivr.routes import ROUTES

DIALPLANS = sorted((Path(__file__).parents[2] / "dialplans").glob("*.conf"))
_ROUTE = re.compile(r"agi://[^/\s,)]+/([\w-]+)")
_CALLER_TEXT = re.compile(r"CALLERID|CONNECTEDLINE|REDIRECTING|\bCALLERIDNAME\b|\bCALLERIDNUM\b", re.I)
_FILE_APPS = re.compile(r"\b(MixMonitor|Monitor|Record|System|TrySystem)\((?P<args>[^)]*)\)", re.I)
_SAFE_IN_FILE_NAMES = {"UNIQUEID", "FOAD_RECORDINGS"}


def code_lines() -> list[tuple[str, str]]:
    """(where, code) for every line of every dialplan, comments removed."""
    return [(f"{path.name}:{n}", line.split(";", 1)[0])
            for path in DIALPLANS for n, line in enumerate(path.read_text().splitlines(), start=1)
            if line.split(";", 1)[0].strip()]


def problems(code: str) -> list[str]:
    """What is wrong with one dialplan line: caller-id text used, or a file name or shell
    command built from anything but ${UNIQUEID} and the recordings directory."""
    found = [f"uses caller-id text: {m.group(0)}" for m in _CALLER_TEXT.finditer(code)]
    for app in _FILE_APPS.finditer(code):
        if app.group(1).lower() in ("system", "trysystem"):
            found.append(f"runs a shell command: {app.group(0)}")
        names = set(re.findall(r"\$\{(\w+)", app.group("args")))
        found += [f"{app.group(1)} file name uses ${{{n}}}" for n in sorted(names - _SAFE_IN_FILE_NAMES)]
    return found


def test_there_are_dialplans_for_both_lines_and_the_hangup_handler():
    text = "\n".join(code for _, code in code_lines())
    assert DIALPLANS
    for context in ("[foad-128]", "[foad-overseas]", "[foad-hangup]"):
        assert context in text
    assert "hangup_handler_push" in text and "AGIEXITONHANGUP=no" in text


def test_every_agi_route_named_exists_and_every_route_is_used():
    named = {route for _, code in code_lines() for route in _ROUTE.findall(code)}
    assert named == set(ROUTES)


def test_no_line_puts_caller_id_text_into_a_file_name_or_command():
    assert [(where, p) for where, code in code_lines() for p in problems(code)] == []


def test_the_check_catches_what_it_is_for():
    assert problems("same => n,MixMonitor(/var/rec/${CALLERID(num)}-${UNIQUEID}.wav)")
    assert problems("same => n,MixMonitor(/var/rec/${EXTEN}.wav)")
    assert problems("same => n,System(touch /tmp/${UNIQUEID})")
    assert problems("same => n,Set(X=${CALLERID(name)})")
    assert problems("same => n,MixMonitor(${FOAD_RECORDINGS}/calls/${UNIQUEID}.wav)") == []
