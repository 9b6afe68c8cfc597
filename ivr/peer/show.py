"""A placed call told for people: every command and reply, with the words each prompt says."""

from __future__ import annotations

from typing import Callable, Mapping

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ivr.peer import wav
from ivr.peer.arguments import split_args
from ivr.peer.dial import PlacedCall, line_for, place_call
from ivr.peer.script import ScriptError
from ivr.peer.sounds import Sounds
from ivr.peer.voice import spoken_complaint
from ivr.prompts import Prompt, catalog, fixed
from ivr.render import RenderError
from models.db import make_engine
from models.settings import Settings


class CallError(Exception):
    """The call could not be placed; the message says why, for the person who tried."""


def place_and_tell(settings: Settings, *, caller: str, dialled: str | None, keys: str, name: str | None,
                   host: str, port: int, verbose: bool = True) -> list[str]:
    """`foad call`: place the call against the FastAGI server at host:port and tell it; the
    caller speaks a complaint in Persian into the recording (a hum without espeak-ng)."""
    dialled = dialled or settings.service_number
    built = settings.sounds_dir / "fa" / "foad"
    voice, unspoken = _voice()
    try:
        line = line_for(dialled, service_number=settings.service_number,
                        overseas_number=settings.overseas_number)
        placed = place_call(host, port, caller_id=None if caller == "unknown" else caller, to=dialled,
                            keys=keys, caller_name=name, line=line, recordings_dir=settings.recordings_dir,
                            sounds=Sounds(settings.sounds_dir if built.is_dir() else None), voice=voice)
    except ConnectionRefusedError:
        raise CallError(f"nothing answers on {host}:{port}: start `foad fastagi` (or `foad serve`) first") from None
    except (ValueError, ScriptError, OSError) as exc:
        raise CallError(str(exc)) from None
    told = describe(placed, _prompts(settings), verbose=verbose)
    if unspoken:
        told.append(f"the caller hummed instead of speaking: {unspoken}")
    return told


def _voice() -> tuple[bytes, str]:
    """The caller's spoken complaint, or no voice and why not."""
    try:
        return spoken_complaint(), ""
    except RenderError as exc:
        return b"", str(exc)


def _prompts(settings: Settings) -> dict[str, Prompt]:
    """The catalog with the directory's menus, or without them if the database is not set up."""
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            return catalog(session)
    except DBAPIError:  # the words are a courtesy: the call is told without them
        return fixed()
    finally:
        engine.dispose()


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
    spoken = sum(len(said) for _, said in placed.intake.spoken) / (2 * wav.RATE)
    if spoken:
        lines.append(f"the caller spoke a complaint in Persian into the recording ({spoken:.1f} s, espeak-ng)")
    return lines
