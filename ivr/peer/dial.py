"""Driving the simulated channel: over a FastAGI connection, or a program's stdin and stdout.

`place_call` does what the dialplan does for a call to 128 or the overseas line: the
`intake` AGI with MixMonitor running, then, once the caller is gone, the hangup handler's
`hangup` AGI on the dead channel.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import select
import socket
import subprocess
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

from ivr import lines
from ivr.peer import wav
from ivr.peer.channel import HANGUP_DELAY_S, Channel
from ivr.peer.script import Caller, parse
from ivr.peer.setup import Setup
from ivr.peer.sounds import Sounds

HANGUP_CAUSE = "16"
"""Q.850 normal clearing: what HANGUPCAUSE says after an ordinary hang-up."""

_SEQUENCE = itertools.count(1)


@dataclass
class Timing:
    """How quickly the AGI program answered."""

    setup_s: float = 0.0
    """From the first byte of the env block to the first command."""
    turnarounds: list[float] = field(default_factory=list)
    """Seconds from each reply sent to the next command received."""


class _Lines:
    """Lines from a file descriptor, with a timeout (select) and no read-ahead surprises."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""

    def readline(self, timeout: float | None) -> bytes | None:
        """The next line with its `\\n`; b"" at EOF; None if `timeout` passed first."""
        while b"\n" not in self.buffer:
            if timeout is not None and not select.select([self.fd], [], [], timeout)[0]:
                return None
            try:
                chunk = os.read(self.fd, 65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                rest, self.buffer = self.buffer, b""
                return rest
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line + b"\n"


class Conversation:
    """One AGI session from Asterisk's side, I/O left to a driver: what to send when a line
    comes, when the program is quiet for a while, and when it closes; with the timings."""

    def __init__(self, channel: Channel, pace: float = 0.0) -> None:
        self.channel, self.pace, self.timing = channel, pace, Timing()
        self._started = self._sent = 0.0

    def opening(self) -> bytes:
        """The env block."""
        self._started = time.perf_counter()
        return self.channel.setup.env_block()

    @property
    def patience(self) -> float | None:
        """How long to wait for the next command before sending an owed `HANGUP` line."""
        return HANGUP_DELAY_S if self.channel.owes_hangup else None

    def answer(self, line: bytes) -> tuple[bytes, float]:
        """The reply to a command line (with its `\\n`), and how long to wait before sending it."""
        now = time.perf_counter()
        if self.channel.commands == 0:
            self.timing.setup_s = now - self._started
        else:
            self.timing.turnarounds.append(now - self._sent)
        reply = self.channel.handle(line[:-1])
        return reply.text.encode(), reply.seconds * self.pace

    def replied(self) -> None:
        """Note that the reply went out (turnaround is measured from here)."""
        self._sent = time.perf_counter()

    def quiet(self) -> bytes:
        """The program said nothing for `patience` seconds."""
        return self.channel.idle_hangup_line().encode()

    def closed(self) -> bytes:
        """The program closed its side."""
        return self.channel.hang_up().encode()


class Driver:
    """One AGI session played over a file descriptor: the env block at once, then every
    command answered until the program closes its side, or until a chosen command comes
    (a test then acts mid-call, and `run` again answers it and goes on)."""

    def __init__(self, channel: Channel, read_fd: int, write: Callable[[bytes], None], *,
                 pace: float = 0.0) -> None:
        self.lines, self.talk, self.write = _Lines(read_fd), Conversation(channel, pace), write
        self.held: bytes | None = None
        write(self.talk.opening())

    @property
    def timing(self) -> Timing:
        """How quickly the program answered so far."""
        return self.talk.timing

    def run(self, until: Callable[[bytes], bool] | None = None) -> bytes | None:
        """Answer commands (a held one first) until the program is done (None), or until a
        command line `until` picks: that one is held unanswered and returned."""
        line, self.held = self.held, None
        while True:
            if line is None:
                line = self.lines.readline(self.talk.patience)
                if line is None:  # quiet after a cut-off command: Asterisk's HANGUP line goes out now
                    _send(self.write, self.talk.quiet())
                    continue
                if not line.endswith(b"\n"):  # EOF: the program is done with the call
                    _send(self.write, self.talk.closed())
                    return None
                if until is not None and until(line):
                    self.held = line
                    return line
            if not self._answer(line):
                return None
            line = None

    def _answer(self, line: bytes) -> bool:
        """Reply to one command; False if the program has gone."""
        reply, pause = self.talk.answer(line)
        if pause:
            time.sleep(pause)
        if not _send(self.write, reply):
            return False
        self.talk.replied()
        return True


def converse(channel: Channel, read_fd: int, write: Callable[[bytes], None], *, pace: float = 0.0) -> Timing:
    """Send the env block, then answer every command until the program closes its side."""
    driver = Driver(channel, read_fd, write, pace=pace)
    driver.run()
    return driver.timing


def _send(write: Callable[[bytes], None], data: bytes) -> bool:
    try:
        if data:
            write(data)
    except (BrokenPipeError, ConnectionResetError):
        return False
    return True


@dataclass
class PlacedCall:
    """A finished call: both AGI sessions as the channel saw them."""

    uniqueid: str
    line: str
    intake: Channel
    hangup: Channel | None
    timing: Timing

    @property
    def digits_said(self) -> list[str]:
        """What SAY DIGITS spoke (the tracking code, twice, on a good call)."""
        return self.intake.digits_said


def line_for(dialled: str, *, service_number: str = "128", overseas_number: str = "+989372840000") -> str:
    """Which of our lines a dialled number reaches, as the dialplan routes it."""
    line = lines.line_for(dialled, service_number=service_number, overseas_number=overseas_number)
    if line is not None:
        return line
    raise ValueError(f"{dialled} is neither the service number ({service_number}) "
                     f"nor the overseas number ({overseas_number})")


def new_uniqueid() -> str:
    """A fresh ${UNIQUEID} in Asterisk's shape (epoch seconds, a dot, a sequence)."""
    return f"{int(time.time())}.{os.getpid() % 100000}{next(_SEQUENCE):04d}"


def place_call(host: str, port: int, *, caller_id: str | None, to: str, keys: str = "",
               caller_name: str | None = None, line: str | None = None, hangup_at: int | None = None,
               recordings_dir: Path | None = None, sounds: Sounds | None = None,
               uniqueid: str | None = None, pace: float = 0.0, timeout: float = 30.0,
               voice: bytes = b"") -> PlacedCall:
    """Call 128 or the overseas line through the FastAGI server at host:port, as Asterisk
    would; the caller says `voice` (8 kHz 16-bit samples) into recordings, else hums."""
    channel = incoming(host, port, caller_id=caller_id, to=to, keys=keys, caller_name=caller_name,
                       line=line, hangup_at=hangup_at, recordings_dir=recordings_dir, sounds=sounds,
                       uniqueid=uniqueid, voice=voice)
    timing = over_tcp(channel, host, port, pace, timeout)
    handler = hangup_handler(channel)
    over_tcp(handler, host, port, 0.0, timeout)
    return PlacedCall(channel.setup.uniqueid, line_of(channel), channel, handler, timing)


def incoming(host: str, port: int, *, caller_id: str | None, to: str, keys: str = "",
             caller_name: str | None = None, line: str | None = None, hangup_at: int | None = None,
             recordings_dir: Path | None = None, sounds: Sounds | None = None,
             uniqueid: str | None = None, voice: bytes = b"") -> Channel:
    """A new call as the dialplan hands it to `AGI(agi://host:port/intake?line=…)`: answered,
    in Persian, with MixMonitor recording it (when `recordings_dir` is given)."""
    line = line or line_for(to)
    setup = Setup(script=f"intake?line={line}", uniqueid=uniqueid or new_uniqueid(), caller_id=caller_id,
                  caller_name=caller_name, dnid=to, context=f"foad-{line}", host=host, port=port)
    channel = Channel(setup, Caller(parse(keys), hangup_at, voice), sounds or Sounds())
    if recordings_dir is not None:
        # MixMonitor(${FOAD_RECORDINGS}/calls/${UNIQUEID}.wav): it makes the folder, and
        # writes the file as the call goes (here: when the hangup handler starts).
        mixed = recordings_dir / "calls" / f"{setup.uniqueid}.wav"
        mixed.parent.mkdir(parents=True, exist_ok=True)
        channel.variables["MIXMONITOR_FILENAME"] = str(mixed)
    return channel


def hangup_handler(intake: Channel) -> Channel:
    """After the call: its MixMonitor file finished, then the dialplan's hangup handler,
    AGI(agi://…/hangup?line=…), on the dead channel."""
    mixed = intake.variables.get("MIXMONITOR_FILENAME")
    if mixed:
        # What the caller said, where they said it; a caller without a voice hums at the start.
        said = intake.spoken if intake.caller.voice else ((0, wav.HUM),)
        wav.write(Path(mixed), round(intake.elapsed * wav.RATE), said)
    setup = replace(intake.setup, script=f"hangup?line={line_of(intake)}", context="foad-hangup", priority=1)
    variables = {**intake.variables, "HANGUPCAUSE": HANGUP_CAUSE}
    return Channel(setup, Caller([]), intake.sounds, dead=True, variables=variables, elapsed=intake.elapsed)


def line_of(channel: Channel) -> str:
    """The line a channel's AGI script names (`intake?line=128` → "128")."""
    return channel.setup.script.partition("line=")[2] or "128"


def over_tcp(channel: Channel, host: str, port: int, pace: float = 0.0, timeout: float = 30.0) -> Timing:
    """One AGI session: connect to the FastAGI server and play the channel's side of it."""
    with connected(channel, host, port, pace, timeout) as driver:
        driver.run()
        return driver.timing


@contextlib.contextmanager
def connected(channel: Channel, host: str, port: int, pace: float = 0.0,
              timeout: float = 30.0) -> Iterator[Driver]:
    """A FastAGI connection with the env block sent: `run` the driver to play the call."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(None)
        yield Driver(channel, sock.fileno(), sock.sendall, pace=pace)


def run_program(argv: Sequence[str], channel: Channel, *, env: Mapping[str, str] | None = None,
                stderr: int | None = subprocess.DEVNULL) -> Timing:
    """Plain AGI: run `argv` as Asterisk runs an AGI program, on its stdin and stdout, with
    the dialplan's arguments (`channel.setup.args`) after it."""
    with subprocess.Popen([*argv, *channel.setup.args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=stderr, env=dict(env) if env is not None else None) as program:
        assert program.stdin is not None and program.stdout is not None

        def write(data: bytes) -> None:
            """To the program's stdin, at once."""
            program.stdin.write(data)
            program.stdin.flush()

        timing = converse(channel, program.stdout.fileno(), write)
        try:
            program.stdin.close()
        except BrokenPipeError:
            pass  # it has exited already
        program.wait()
    return timing
