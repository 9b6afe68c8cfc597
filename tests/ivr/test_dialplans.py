"""The dialplans an Asterisk admin includes: each line uses only what the dialplan needs (so
caller-id text goes nowhere), each context does every step the engine relies on, and every
AGI route they name exists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from ivr.routes import ROUTES

DIALPLANS = sorted((Path(__file__).parents[2] / "dialplans").glob("*.conf"))

APPLICATIONS = {"NoOp", "Answer", "Set", "MixMonitor", "AGI", "Hangup", "Return"}
"""The dialplan applications the contexts need; no System, no Monitor, no Record."""
VARIABLES = {"UNIQUEID", "FOAD_AGI", "FOAD_RECORDINGS", "ARG1"}
"""The only ${…} a line may read: the call's id, the two globals, the handler's argument."""
SET_TARGETS = {"CHANNEL(language)", "CHANNEL(hangup_handler_push)", "AGISIGHUP", "AGIEXITONHANGUP"}
"""The only things a line may Set()."""

_CONTEXT = re.compile(r"^\[(?P<name>[\w-]+)\]$")
_STEP = re.compile(r"^(?:exten\s*=>\s*[^,]+,\s*[^,]+|same\s*=>\s*[^,]+),\s*(?P<app>\w+)\((?P<args>.*)\)$")
_READ = re.compile(r"\$\{(\w+)")
_ROUTE = re.compile(r"agi://[^/\s,)]+/([\w-]+)")


@dataclass(frozen=True)
class Step:
    """One priority of a context: where it is, the application and its argument string."""

    where: str
    app: str
    args: str


def required(line: str) -> list[tuple[str, str]]:
    """The steps a call context must take, in order, before it hands the call to FastAGI;
    `line` is the engine's name for it (128 or overseas)."""
    return [
        ("Answer", ""),
        ("Set", "CHANNEL(language)=fa"),
        ("Set", f"CHANNEL(hangup_handler_push)=foad-hangup,s,1({line})"),
        ("MixMonitor", "${FOAD_RECORDINGS}/calls/${UNIQUEID}.wav"),
        ("Set", "AGISIGHUP=yes"),  # the engine hears of a hang-up at once
        ("Set", "AGIEXITONHANGUP=no"),  # and may finish the ticket before the handler runs
        ("AGI", f"agi://${{FOAD_AGI}}/intake?line={line}"),
    ]


CONTEXTS = {
    "foad-128": required("128"),
    "foad-overseas": required("overseas"),
    "foad-hangup": [("AGI", "agi://${FOAD_AGI}/hangup?line=${ARG1}"), ("Return", "")],
}
"""Every context and the steps it must take, in this order."""


def code_lines(texts: dict[str, str]) -> list[tuple[str, str]]:
    """(where, code) of every line of every file, comments and blank lines left out."""
    return [(f"{name}:{n}", line.split(";", 1)[0].strip())
            for name, text in texts.items() for n, line in enumerate(text.splitlines(), start=1)
            if line.split(";", 1)[0].strip()]


def parse(texts: dict[str, str]) -> tuple[dict[str, list[Step]], list[str]]:
    """The contexts and their steps, and every line that is neither a context nor a step."""
    contexts: dict[str, list[Step]] = {}
    current: list[Step] | None = None
    stray = []
    for where, code in code_lines(texts):
        if (header := _CONTEXT.match(code)) is not None:
            current = contexts.setdefault(header.group("name"), [])
        elif (step := _STEP.match(code)) is not None and current is not None:
            current.append(Step(where, step.group("app"), step.group("args")))
        else:
            stray.append(f"{where}: not a context or a step: {code}")
    return contexts, stray


def line_problems(step: Step) -> list[str]:
    """What one step uses that the dialplan does not need (caller-id text above all)."""
    found = [] if step.app in APPLICATIONS else [f"{step.where}: application {step.app}"]
    found += [f"{step.where}: reads ${{{name}}}" for name in _READ.findall(step.args) if name not in VARIABLES]
    if "$[" in step.args:
        found.append(f"{step.where}: an expression $[…]")
    if step.app == "Set" and step.args.partition("=")[0] not in SET_TARGETS:
        found.append(f"{step.where}: sets {step.args.partition('=')[0]}")
    return found


def context_problems(contexts: dict[str, list[Step]]) -> list[str]:
    """Contexts missing, steps missing or out of order, contexts nobody asked for."""
    found = [f"[{name}] is not one of ours" for name in contexts if name not in CONTEXTS]
    for name, wanted in CONTEXTS.items():
        have = [(step.app, step.args) for step in contexts.get(name, [])]
        positions = [have.index(w) if w in have else None for w in wanted]
        found += [f"[{name}] lacks {app}({args})" for (app, args), at in zip(wanted, positions) if at is None]
        present = [at for at in positions if at is not None]
        if present != sorted(present):
            found.append(f"[{name}] takes its steps out of order")
    return found


def problems(texts: dict[str, str]) -> list[str]:
    """Everything wrong with a set of dialplan files."""
    contexts, stray = parse(texts)
    return stray + [p for steps in contexts.values() for step in steps for p in line_problems(step)] \
        + context_problems(contexts)


def shipped() -> dict[str, str]:
    return {path.name: path.read_text() for path in DIALPLANS}


def test_the_shipped_dialplans_have_no_problems():
    assert DIALPLANS
    assert problems(shipped()) == []


def test_every_agi_route_named_exists_and_every_route_is_used():
    named = {route for _, code in code_lines(shipped()) for route in _ROUTE.findall(code)}
    assert named == set(ROUTES)


def without_line(texts: dict[str, str], where: str) -> dict[str, str]:
    """The files with the line at `where` ("foad.conf:12") removed."""
    name, n = where.rsplit(":", 1)
    lines = texts[name].splitlines()
    return {**texts, name: "\n".join(lines[: int(n) - 1] + lines[int(n):])}


@pytest.mark.parametrize("context, step", [(c, s) for c, steps in CONTEXTS.items() for s in steps],
                         ids=lambda v: v if isinstance(v, str) else v[0])
def test_dropping_any_required_step_from_any_context_is_caught(context, step):
    texts = shipped()
    (found,) = [s for s in parse(texts)[0][context] if (s.app, s.args) == step]

    assert f"[{context}] lacks {step[0]}({step[1]})" in problems(without_line(texts, found.where))


@pytest.mark.parametrize("line", [
    "same => n,MixMonitor(/var/rec/${CALLERID(num)}-${UNIQUEID}.wav)",
    "same => n,MixMonitor(${FOAD_RECORDINGS}/calls/${EXTEN}.wav)",
    "same => n,System(touch /tmp/${UNIQUEID})",
    "same => n,Set(X=${CALLERID(name)})",
    "same => n,Set(CALLERID(name)=x)",
    "same => n,NoOp(caller ${CONNECTEDLINE(name)})",
    "same => n,Set(FOAD_NOTE=$[1+1])",
    "same => n,AGI(agi://${FOAD_AGI}/intake?line=${CALLERID(num)})",
    "same => n,Verbose(${FILTER(0-9,${CALLERID(num)})})",
    "exten => _X.,1,Goto(foad-128,s,1)",
])
def test_a_line_using_anything_else_is_caught(line):
    texts = shipped()
    name = next(iter(texts))
    lines = texts[name].splitlines()
    at = next(n for n, code in enumerate(lines) if code.startswith(" same => n,AGI(agi://${FOAD_AGI}/intake?line=128)"))
    polluted = {**texts, name: "\n".join(lines[:at] + [" " + line] + lines[at:])}

    assert problems(polluted) != []
