"""A placed call told for people: every command and reply, with the words each prompt says."""

from __future__ import annotations

from typing import Callable, Mapping

from ivr.peer.arguments import split_args
from ivr.peer.dial import PlacedCall
from ivr.prompts import Prompt


def describe(placed: PlacedCall, prompts: Mapping[str, Prompt], *, verbose: bool = True) -> list[str]:
    """Lines telling the call; with `verbose`, every AGI exchange of both sessions."""
    lines = [f"call {placed.uniqueid} on the {placed.line} line, "
             f"{placed.intake.elapsed:.0f} s of simulated call time"]
    if verbose:
        by_sound = {f"foad/{p.id}": p for p in prompts.values()}
        for title, channel in (("intake", placed.intake), ("hangup handler", placed.hangup)):
            if channel is not None:
                lines.append(f"-- {title}")
                lines += _exchanges(channel.exchanges, lambda name: by_sound.get(name),
                                    channel.variables.get("CHANNEL(language)", channel.setup.language))
    lines += _summary(placed)
    return lines


def _exchanges(exchanges: list[tuple[str, str]], prompt_of: Callable[[str], Prompt | None],
               language: str) -> list[str]:
    lines = []
    for command, reply in exchanges:
        argv = split_args(command)
        if argv[:2] == ["SET", "VARIABLE"] and argv[2:3] == ["CHANNEL(language)"]:
            language = argv[3]
        if command:
            lines.append(f"  >> {command}")
        prompt = prompt_of(argv[2]) if len(argv) > 2 and argv[0] in ("STREAM", "GET") else None
        if prompt is not None:
            lines.append(f"     ({language}) {prompt.text(language)}")
        lines += [f"  << {part}" for part in reply.splitlines()]
    return lines


def _summary(placed: PlacedCall) -> list[str]:
    said = placed.digits_said
    lines = [f"tracking code read out: {said[0]} ({len(said)} times)"] if said else ["no tracking code read out"]
    recorded = placed.intake.recorded
    if recorded:
        lines.append(f"recorded: {', '.join(str(p) for p in recorded)}")
    return lines
