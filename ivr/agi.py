"""`CallControl` on pyst2's AGI class, with every workaround pyst2 0.5.1 needs, in one place.

What pyst2 gets wrong and what this module does about it:
- `AGI.__init__` installs a SIGHUP handler, which fails outside the main thread: the
  subclass never calls it (plain AGI ignores SIGHUP instead; see `foad.agi`).
- It writes `str`: it gets text streams over the socket (or stdin/stdout), only `\\n`
  ending a line, written through at once.
- It writes every env line, command and reply to stderr: that goes to logging (DEBUG). It
  formats every reply with `pprint` for that trace whether anyone reads it or not (a
  twentieth of a call's CPU): `_Trace` formats only when DEBUG is on.
- Its env parser lets a caller name with a newline overwrite other keys: `ivr.agienv`.
- Nothing in it ever times out: over a socket, a silence longer than the socket's timeout
  (`ivr.fastagi`) ends the call as a `Hangup`.
- A `HANGUP` line where a reply was due, or EOF, breaks its parser: `_Lines` notes the
  first and skips it, and turns EOF into `Hangup`; a 511 reply is a `Hangup` too. After
  `HANGUP`, a command a dead channel refuses is not even sent: it raises `Hangup` at once.
- `result=-1` means a missing sound as well as a hang-up: `_missing_or_gone` asks
  `CHANNEL STATUS`, which a dead channel refuses.
- It escapes nothing and leaves some arguments unquoted, so a caller-controlled value
  could carry a newline and a second command (`EXEC System …`): we never use its command
  helpers, only `execute`, and `quote` every argument we send.
- It turns a recording's timeout into "\\x00", drops `(timeout)` and raises without
  `endpos` on a hang-up: replies are read from `execute`'s dict, and the raw line kept.
"""

from __future__ import annotations

import io
import logging
import pprint
import re
import socket
import sys
from typing import Any, Sequence, TextIO

from asterisk import agi as pyst2

from ivr.agienv import MAX_LINE, AgiRequest, EnvError, read_env
from ivr.control import Ending, Hangup, ProtocolError, Recording

log = logging.getLogger(__name__)

DEAD_CHANNEL_COMMANDS = frozenset({
    "GET VARIABLE", "GET FULL VARIABLE", "SET VARIABLE", "EXEC", "VERBOSE", "NOOP",
    "DATABASE GET", "DATABASE PUT", "DATABASE DEL", "DATABASE DELTREE",
})
"""Commands Asterisk still runs after a hang-up; once `HANGUP` came, any other raises
`Hangup` here at once instead of going out to wait for its 511."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ENDPOS = re.compile(r"endpos=(\d+)")
_KEYS = re.compile(r"[^0-9*#]")


def quote(value: object) -> str:
    """`value` as one AGI argument that cannot end the command: control characters (CR and
    LF above all) become spaces, `\\` and `"` are escaped, and it is quoted."""
    text = _CONTROL.sub(" ", str(value))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Lines:
    """Asterisk's replies a line at a time: `HANGUP` noted and skipped, EOF a `Hangup`."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.hung_up = False
        self.last = ""
        self.call = "-"

    def readline(self) -> str:
        """The next reply line (pyst2 calls this)."""
        while True:
            try:
                line = self.stream.readline(MAX_LINE + 1)
            except TimeoutError:  # the socket's timeout: a silent or half-open peer
                self.hung_up = True
                log.warning("no word from Asterisk within the timeout: the caller is taken as gone",
                            extra={"call": self.call})
                raise Hangup("no word from Asterisk within the socket timeout") from None
            if not line:
                self.hung_up = True
                raise Hangup("Asterisk closed the connection")
            if line == "HANGUP\n":
                self.hung_up = True
                continue
            if len(line) > MAX_LINE and not line.endswith("\n"):
                # Not Asterisk's (its lines fit its buffer): the link can no longer be trusted.
                self.hung_up = True
                raise Hangup(f"a reply line longer than {MAX_LINE} characters")
            self.last = line
            return line


class _Chatter(io.TextIOBase):
    """pyst2's stderr: its trace of every env line, command and reply, as DEBUG records."""

    def __init__(self) -> None:
        self.call = "-"
        self._pending = ""

    def write(self, text: str) -> int:
        """Collect pyst2's text; each whole line becomes a DEBUG record (nothing when not debugging)."""
        if log.isEnabledFor(logging.DEBUG):
            self._pending += text
            *done, self._pending = self._pending.split("\n")
            for line in done:
                log.debug("pyst2: %s", line, extra={"call": self.call})
        return len(text)


class _Trace:
    """pyst2's `pprint`, formatting a reply for its trace only when DEBUG records are kept."""

    @staticmethod
    def pformat(value: object) -> str:
        """`pprint.pformat(value)` when debugging; "" otherwise (the trace drops it anyway)."""
        return pprint.pformat(value) if log.isEnabledFor(logging.DEBUG) else ""


pyst2.pprint = _Trace  # type: ignore[attr-defined]  # its replies' trace; its other uses are never called here


class _AGI(pyst2.AGI):
    """pyst2's AGI without its SIGHUP handler and with a careful env parser."""

    def __init__(self, lines: _Lines, out: TextIO, chatter: _Chatter) -> None:
        # AGI.__init__ is skipped on purpose: signal.signal() raises outside the main thread.
        self.stdin, self.stdout, self.stderr = lines, out, chatter
        self._got_sighup = False
        self.env: dict[str, str] = {}
        self._get_agi_env()

    def _get_agi_env(self) -> None:
        try:
            self.env = read_env(self.stdin.stream.readline)
        except (EnvError, OSError) as exc:  # cut off, never ended, or silent past the timeout
            raise Hangup(str(exc) or type(exc).__name__) from None


class AgiCall:
    """One call driven over AGI; see the module docstring for what it guards against."""

    def __init__(self, reader: TextIO, writer: TextIO, program_args: Sequence[str] = ()) -> None:
        self._lines = _Lines(reader)
        chatter = _Chatter()
        self._agi = _AGI(self._lines, writer, chatter)
        self.request = AgiRequest(self._agi.env, tuple(program_args))
        chatter.call = self._lines.call = self.request.uniqueid

    @classmethod
    def over_socket(cls, sock: socket.socket) -> "AgiCall":
        """FastAGI: the call on an accepted TCP connection."""
        return cls(*text_streams(sock.makefile("rb"), sock.makefile("wb")))

    @classmethod
    def over_stdio(cls, program_args: Sequence[str]) -> "AgiCall":
        """Plain AGI: the call on this process's stdin and stdout, started with `program_args`."""
        return cls(*text_streams(sys.stdin.buffer, sys.stdout.buffer), program_args)

    @property
    def hung_up(self) -> bool:
        """True once Asterisk said the caller is gone."""
        return self._lines.hung_up

    def play(self, sound: str, keys: str = "") -> str:
        """STREAM FILE: the key of `keys` that stopped it, or ""."""
        try:
            reply = self._run("STREAM FILE", sound, keys)
        except pyst2.AGIAppError:
            self._missing_or_gone(sound)
            return ""
        return _key(reply)

    def collect_digits(self, sound: str, max_digits: int, timeout_ms: int) -> str:
        """GET DATA: the keys typed (without the # that ended them), "" on silence."""
        try:
            reply = self._run("GET DATA", sound, timeout_ms, max_digits)
        except pyst2.AGIAppError:
            self._missing_or_gone(sound)
            return ""
        return _KEYS.sub("", reply["result"][0])

    def say_digits(self, digits: str, keys: str = "") -> str:
        """SAY DIGITS in the channel's language (its `digits/N` sounds)."""
        try:
            reply = self._run("SAY DIGITS", digits, keys)
        except pyst2.AGIAppError:
            self._missing_or_gone(f"digits for {digits}")
            return ""
        return _key(reply)

    def record(self, name: str, *, max_s: int, silence_s: int) -> Recording:
        """RECORD FILE as WAV, ended by #, silence or `max_s`; a hang-up returns the take too."""
        args = (name, "wav", "#", max_s * 1000, 0, "BEEP", f"s={silence_s}")
        try:
            reply = self._run("RECORD FILE", *args)
        except pyst2.AGIResultHangup:
            return Recording(name, "wav", self._endpos_of_last(), Ending.HANGUP)
        except pyst2.AGIAppError:
            return self._failed_take(name)
        ending = Ending.KEY if reply["result"][1] == "dtmf" else Ending.TIMEOUT
        return Recording(name, "wav", int(reply.get("endpos", ("0", ""))[0] or 0), ending)

    def set_variable(self, name: str, value: str) -> None:
        """SET VARIABLE, both name and value quoted."""
        self._run("SET VARIABLE", name, value)

    def get_variable(self, name: str) -> str | None:
        """GET VARIABLE; never ask it for caller-controlled text (a newline would split the reply)."""
        value, data = self._run("GET VARIABLE", name)["result"]
        return data if value == "1" else None

    def hangup(self) -> None:
        """HANGUP; on a channel already gone there is nothing to do."""
        try:
            self._run("HANGUP")
        except Hangup:
            pass

    def close(self) -> None:
        """Close our ends of the streams."""
        for stream in (self._lines.stream, self._agi.stdout):
            try:
                stream.close()
            except OSError:
                pass  # the peer is gone; nothing left to flush

    def _run(self, command: str, *args: object) -> dict[str, Any]:
        """Send one command, every argument quoted; map pyst2's failures to ours."""
        if self._lines.hung_up and command not in DEAD_CHANNEL_COMMANDS:
            raise Hangup(f"{command}: the caller has hung up")
        try:
            return self._agi.execute(command, *map(quote, args))
        except pyst2.AGIUnknownError as exc:
            if exc.args and exc.args[0] == 511:
                self._lines.hung_up = True
                raise Hangup(f"{command}: the channel is gone") from None
            raise ProtocolError(f"{command}: {self._lines.last.strip()!r}") from None
        except (pyst2.AGIInvalidCommand, pyst2.AGIUsageError, ValueError) as exc:
            raise ProtocolError(f"{command}: {self._lines.last.strip()!r} ({exc})") from None
        except (pyst2.AGISIGPIPEHangup, OSError):
            self._lines.hung_up = True
            raise Hangup(f"{command}: the connection broke") from None

    def _missing_or_gone(self, sound: str) -> None:
        """After `result=-1`: raise Hangup if the caller has gone, else log the missing sound."""
        if not self._lines.hung_up:
            try:
                self._run("CHANNEL STATUS")  # a dead channel answers 511
            except pyst2.AGIAppError:
                self._lines.hung_up = True
        if self._lines.hung_up:
            raise Hangup(f"hung up while playing {sound}")
        log.error("sound missing on the Asterisk side", extra={"call": self.request.uniqueid, "sound": sound})

    def _failed_take(self, name: str) -> Recording:
        """`result=-1` without `(hangup)`: the file could not be written, or the beep not
        played (which is also how a hang-up during the beep looks)."""
        if "(writefile)" not in self._lines.last:
            self._missing_or_gone("beep")
        log.error("Asterisk could not record", extra={"call": self.request.uniqueid, "file": name,
                                                      "reply": self._lines.last.strip()})
        return Recording(name, "wav", 0, Ending.FAILED)

    def _endpos_of_last(self) -> int:
        match = _ENDPOS.search(self._lines.last)
        return int(match.group(1)) if match else 0


def text_streams(rbytes: io.BufferedIOBase, wbytes: io.BufferedIOBase) -> tuple[TextIO, TextIO]:
    """UTF-8 text over byte streams, for pyst2: only `\\n` ends a line; writes go out at once."""
    reader = io.TextIOWrapper(rbytes, encoding="utf-8", errors="replace", newline="\n")
    writer = io.TextIOWrapper(wbytes, encoding="utf-8", errors="replace", newline="\n", write_through=True)
    return reader, writer


def _key(reply: dict[str, Any]) -> str:
    code = reply["result"][0]
    return chr(int(code)) if code.isdigit() and code != "0" else ""
