"""The simulated channel: answers each AGI command line exactly as Asterisk 22 does.

No I/O here: `handle` takes one line the AGI program sent and gives back the bytes Asterisk
would answer; `ivr.peer.dial` moves them over a socket or pipes. Time is simulated
(`elapsed`), so a three-minute recording takes no time in a test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from ivr.peer import wav
from ivr.peer.arguments import split_args
from ivr.peer.script import DEFAULT_KEY_S, Act, Caller
from ivr.peer.setup import Setup
from ivr.peer.sounds import Sounds
from ivr.peer.usage import usage

RATE = wav.RATE
HANGUP_DELAY_S = 0.04
"""Asterisk sends `HANGUP` this long after the failed reply of a command cut by a hang-up."""
DIGIT_S = 0.6
"""How long SAY DIGITS takes per digit."""

DEAD_OK = frozenset({
    ("get", "variable"), ("get", "full", "variable"), ("set", "variable"), ("exec",),
    ("verbose",), ("noop",), ("database", "get"), ("database", "put"), ("database", "del"),
    ("database", "deltree"), ("asyncagi", "break"), ("speech", "destroy"),
    ("speech", "unload", "grammar"),
})
"""Commands Asterisk still runs on a hung-up channel (`dead = 1` in res_agi.c's command
table); the rest, SET CONTEXT/EXTENSION/PRIORITY and GOSUB included, answer 511."""

NOT_PERMITTED = "511 Command Not Permitted on a dead channel or intercept routine\n"
INVALID = "510 Invalid or unknown command\n"


class _Usage(Exception):
    """The command had the wrong arguments: Asterisk prints its usage (520)."""


@dataclass
class Reply:
    """What Asterisk answers to one command."""

    text: str
    seconds: float = 0.0
    """Simulated time the command took (a prompt played, a recording made)."""


@dataclass
class Channel:
    """One call leg as an AGI program sees it, driven by a scripted caller."""

    setup: Setup
    caller: Caller
    sounds: Sounds = field(default_factory=Sounds)
    dead: bool = False
    variables: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0
    commands: int = 0
    owes_hangup: bool = False
    """A `HANGUP` line is due: sent before the next reply, or after HANGUP_DELAY_S idle."""
    heard: list[str] = field(default_factory=list)
    digits_said: list[str] = field(default_factory=list)
    executed: list[list[str]] = field(default_factory=list)
    recorded: list[Path] = field(default_factory=list)
    spoken: list[tuple[int, bytes]] = field(default_factory=list)
    """What the caller's voice said into recordings: (the sample of the call it began at, samples)."""
    files: list[Path] = field(default_factory=list)
    """The sound file each prompt or digit played came from, in order (with a sounds folder)."""
    database: dict[tuple[str, str], str] = field(default_factory=dict)
    exchanges: list[tuple[str, str]] = field(default_factory=list)
    """(command, reply) in order; an idle `HANGUP` line has no command."""
    _cut: bool = field(default=False, repr=False)

    def handle(self, raw: bytes) -> Reply:
        """Asterisk's answer to one command line (without its `\\n`)."""
        argv = split_args(raw.decode("utf-8", "replace"))
        self.commands += 1
        words, handler = _find(argv)
        # A HANGUP line still owed always goes out before the next reply.
        before = self.take_hangup_line()
        forced = self.caller.hangup_at == self.commands and not self.dead
        if forced and words not in _TIMED:
            before += self.hang_up()  # the caller hung up just before this command came
        reply = self._dispatch(words, handler, argv, forced and words in _TIMED)
        self.elapsed += reply.seconds
        reply.text = before + reply.text
        self.exchanges.append((raw.decode("utf-8", "replace"), reply.text))
        return reply

    @property
    def sent(self) -> list[str]:
        """The command lines the program sent, in order: the exchanges without the idle
        `HANGUP` lines (whether one came before the program closed depends on its speed)."""
        return [command for command, _ in self.exchanges if command]

    def take_hangup_line(self) -> str:
        """The owed `HANGUP` line, once."""
        owed, self.owes_hangup = self.owes_hangup, False
        return "HANGUP\n" if owed else ""

    def idle_hangup_line(self) -> str:
        """The owed `HANGUP` line, sent while the program is quiet."""
        text = self.take_hangup_line()
        if text:
            self.exchanges.append(("", text))
        return text

    def hang_up(self) -> str:
        """The caller hangs up now (or the program closed its side): the line that says so."""
        if self.dead:
            return self.take_hangup_line()
        self.dead = True
        return "HANGUP\n"

    def _dispatch(self, words, handler, argv: list[str], cut: bool) -> Reply:
        if handler is None:
            return Reply(INVALID)
        if self.dead and words not in DEAD_OK:
            return Reply(NOT_PERMITTED)
        self._cut = cut
        try:
            return handler(self, argv)
        except _Usage:
            return Reply(usage(" ".join(words)))

    def _hung_up(self, listening: bool = True) -> Act | None:
        """A hang-up during this command: forced by `hangup_at`, or (if the command listens
        for keys) the caller's next act."""
        if self._cut:
            self._cut = False
            return Act(hangup=True)
        return self.caller.hangup() if listening else None

    def _cut_off(self, text: str, seconds: float) -> Reply:
        """The reply of a command the caller hung up on; `HANGUP` follows a little later."""
        self.dead = True
        self.owes_hangup = True
        return Reply(text, seconds)

    # --- commands that play or listen ---------------------------------------------------------

    def _stream_file(self, argv: list[str]) -> Reply:
        if len(argv) not in (4, 5):
            raise _Usage
        length = self._prompt(argv[2])
        if length is None:
            return Reply("200 result=-1 endpos=0\n")
        return self._playing(length, argv[3])

    _get_option = _stream_file  # the same answers; GET OPTION only adds a timeout after it

    def _playing(self, length: int, escape: str) -> Reply:
        """A prompt of `length` samples that keys of `escape` may interrupt."""
        act = self._hung_up(listening=bool(escape))
        if act is not None:
            at = _samples(act.at if act.at is not None else DEFAULT_KEY_S, length)
            return self._cut_off(f"200 result=-1 endpos={at}\n", at / RATE)
        act = self.caller.keys_for(escape)
        if act is not None:
            at = _samples(act.at if act.at is not None else DEFAULT_KEY_S, length)
            return Reply(f"200 result={ord(act.keys[0])} endpos={at}\n", at / RATE)
        return Reply(f"200 result=0 endpos={length}\n", length / RATE)

    def _get_data(self, argv: list[str]) -> Reply:
        if len(argv) < 3:
            raise _Usage
        timeout = _int(argv[3], 0) / 1000 if len(argv) > 3 else 0.0
        most = _int(argv[4], 1024) if len(argv) > 4 else 1024
        length = self._prompt(argv[2])
        if length is None:
            return Reply("200 result=-1\n")
        act = self._hung_up() or self.caller.next()
        if act.hangup:
            return self._cut_off("200 result=-1\n", act.at or DEFAULT_KEY_S)
        typed, hash_, _ = act.keys.partition("#")
        # Asterisk stops at # or at the most digits; otherwise the wait for more times out.
        ended = bool(hash_) or len(typed) >= most
        flag = "" if ended else " (timeout)"
        return Reply(f"200 result={typed[:most]}{flag}\n", length / RATE + timeout)

    def _wait_for_digit(self, argv: list[str]) -> Reply:
        if len(argv) != 4:
            raise _Usage
        act = self._hung_up() or self.caller.next()
        if act.hangup:
            return self._cut_off("200 result=-1\n", act.at or DEFAULT_KEY_S)
        return Reply(f"200 result={ord(act.keys[0]) if act.keys else 0}\n", act.at or _int(argv[3], 0) / 1000)

    def _say_digits(self, argv: list[str]) -> Reply:
        if len(argv) != 4:
            raise _Usage
        digits, escape = argv[2], argv[3]
        if any(self._length(f"digits/{d}") is None for d in digits if d.isdigit()):
            return Reply("200 result=-1\n")
        self.digits_said.append(digits)
        seconds = DIGIT_S * len(digits)
        act = self._hung_up(listening=bool(escape))
        if act is not None:
            return self._cut_off("200 result=-1\n", act.at if act.at is not None else seconds / 2)
        act = self.caller.keys_for(escape)
        if act is not None:
            return Reply(f"200 result={ord(act.keys[0])}\n", act.at or DEFAULT_KEY_S)
        return Reply("200 result=0\n", seconds)

    def _say_number(self, argv: list[str]) -> Reply:
        if len(argv) not in (4, 5):
            raise _Usage
        act = self._hung_up(listening=bool(argv[3]))
        if act is not None:
            return self._cut_off("200 result=-1\n", act.at or DEFAULT_KEY_S)
        return Reply("200 result=0\n", DIGIT_S * len(argv[2]))

    def _record_file(self, argv: list[str]) -> Reply:
        if len(argv) < 6:
            raise _Usage
        name, fmt, escape = argv[2], argv[3], argv[4]
        limit = _int(argv[5], -1) / 1000
        options = argv[7:]
        silence = next((_int(o[2:], 0) for o in options if o.startswith("s=")), 0)
        path = Path(f"{name}.{fmt}")
        if not path.parent.is_dir():
            return Reply("200 result=-1 (writefile)\n")
        act = self._hung_up() or self.caller.next()
        talking = bool(act.keys or act.hangup)
        talk = act.at if act.at is not None else (self.caller.talk_seconds() if talking else 0.0)
        reply, samples = self._take(act, talk, limit, silence, escape)
        wav.write(path, samples, self._talked(talk))
        self.recorded.append(path)
        return reply

    def _talked(self, talk: float) -> Sequence[tuple[int, bytes]]:
        """What a take of `talk` seconds holds: the caller's voice, also noted for MixMonitor at
        this moment of the call; without a voice, the hum."""
        if not self.caller.voice:
            return ((0, wav.HUM),)
        said = self.caller.voice[: 2 * _samples(talk)]
        self.spoken.append((_samples(self.elapsed), said))
        return ((0, said),)

    def _take(self, act: Act, talk: float, limit: float, silence: int, escape: str) -> tuple[Reply, int]:
        """How a take of `talk` seconds ends, and how many samples Asterisk keeps."""
        if 0 < limit <= talk:
            samples = _samples(limit)
            return Reply(f"200 result=0 (timeout) endpos={samples}\n", limit), samples
        samples = _samples(talk)
        if act.hangup:
            return self._cut_off(f"200 result=-1 (hangup) endpos={samples}\n", talk), samples
        if act.keys and act.keys[0] in escape:
            return Reply(f"200 result={ord(act.keys[0])} (dtmf) endpos={samples}\n", talk), samples
        if silence and (limit <= 0 or talk + silence < limit):
            # The silence detector ends it; Asterisk trims the silence down to one second.
            samples = _samples(talk + 1.0)
            return Reply(f"200 result=0 (timeout) endpos={samples}\n", talk + silence), samples
        samples = _samples(limit if limit > 0 else talk)
        return Reply(f"200 result=0 (timeout) endpos={samples}\n", samples / RATE), samples

    # --- commands that do not take time --------------------------------------------------------

    def _answer(self, argv: list[str]) -> Reply:
        return Reply("200 result=0\n")

    def _hangup(self, argv: list[str]) -> Reply:
        if len(argv) > 2:
            raise _Usage
        return self._cut_off("200 result=1\n", 0.0)

    def _channel_status(self, argv: list[str]) -> Reply:
        if len(argv) not in (2, 3):
            raise _Usage
        return Reply("200 result=6\n")  # 6: up

    def _set_variable(self, argv: list[str]) -> Reply:
        if len(argv) != 4:
            raise _Usage
        self.variables[argv[2]] = argv[3]
        return Reply("200 result=1\n")

    def _get_variable(self, argv: list[str]) -> Reply:
        if len(argv) != 3:
            raise _Usage
        value = self._lookup(argv[2])
        return Reply("200 result=0\n" if value is None else f"200 result=1 ({value})\n")

    def _get_full_variable(self, argv: list[str]) -> Reply:
        if len(argv) not in (4, 5):
            raise _Usage
        return Reply(f"200 result=1 ({_substitute(argv[3], self._lookup)})\n")

    def _exec(self, argv: list[str]) -> Reply:
        if len(argv) < 2:
            raise _Usage
        self.executed.append(argv[1:])
        known = argv[1].lower() in {"verbose", "noop", "playback", "wait", "set", "system", "log"}
        return Reply("200 result=0\n" if known else "200 result=-2\n")

    def _verbose(self, argv: list[str]) -> Reply:
        if len(argv) < 2:
            raise _Usage
        return Reply("200 result=1\n")

    def _zero(self, argv: list[str]) -> Reply:
        return Reply("200 result=0\n")

    def _set_dialplan_position(self, argv: list[str]) -> Reply:
        """SET CONTEXT / EXTENSION / PRIORITY: where the dialplan goes on after the AGI."""
        if len(argv) != 3:
            raise _Usage
        return Reply("200 result=0\n")

    def _set_callerid(self, argv: list[str]) -> Reply:
        return Reply("200 result=1\n")

    def _database_put(self, argv: list[str]) -> Reply:
        if len(argv) != 5:
            raise _Usage
        self.database[(argv[2], argv[3])] = argv[4]
        return Reply("200 result=1\n")

    def _database_get(self, argv: list[str]) -> Reply:
        if len(argv) != 4:
            raise _Usage
        value = self.database.get((argv[2], argv[3]))
        return Reply("200 result=0\n" if value is None else f"200 result=1 ({value})\n")

    def _database_del(self, argv: list[str]) -> Reply:
        if len(argv) != 4:
            raise _Usage
        return Reply("200 result=1\n" if self.database.pop((argv[2], argv[3]), None) else "200 result=0\n")

    # --- the channel's own state ---------------------------------------------------------------

    def _prompt(self, name: str) -> int | None:
        """A sound the program asked to play: noted, and its length (None: not found)."""
        self.heard.append(name)
        return self._length(name)

    def _length(self, name: str) -> int | None:
        """How long `name` plays in the channel's language (None: not found); the file it
        came from is noted in `files`."""
        found = self.sounds.find(name, self._lookup("CHANNEL(language)") or "en")
        if found is None:
            return None
        if found.file is not None:
            self.files.append(found.file)
        return found.samples

    def _lookup(self, name: str) -> str | None:
        """A variable or dialplan function as GET VARIABLE sees it."""
        number, caller_name = self.setup.caller_id or "", self.setup.caller_name or ""
        functions: dict[str, Callable[[], str]] = {
            "CALLERID(num)": lambda: number,
            "CALLERID(name)": lambda: caller_name,
            "CALLERID(all)": lambda: f'"{caller_name}" <{number}>',
            "CDR(billsec)": lambda: str(int(self.elapsed)),
            "CDR(duration)": lambda: str(int(self.elapsed)),
            "UNIQUEID": lambda: self.setup.uniqueid,
            "CHANNEL": lambda: self.setup.channel,
        }
        if name in self.variables:
            return self.variables[name]
        if name == "CHANNEL(language)":
            return self.setup.language
        return functions[name]() if name in functions else None


def _samples(seconds: float, at_most: int | None = None) -> int:
    samples = round(seconds * RATE)
    return min(samples, at_most) if at_most is not None else samples


def _int(text: str, default: int) -> int:
    try:
        return int(text)
    except ValueError:
        return default


def _substitute(text: str, lookup: Callable[[str], str | None]) -> str:
    """${NAME} and ${FUNC(arg)} replaced by their values (unset: empty)."""
    out, rest = [], text
    while "${" in rest:
        before, _, after = rest.partition("${")
        name, _, rest = after.partition("}")
        out += [before, lookup(name) or ""]
    return "".join(out) + rest


_COMMANDS: dict[tuple[str, ...], Callable[[Channel, list[str]], Reply]] = {
    ("answer",): Channel._answer,
    ("stream", "file"): Channel._stream_file,
    ("get", "option"): Channel._get_option,
    ("get", "data"): Channel._get_data,
    ("wait", "for", "digit"): Channel._wait_for_digit,
    ("say", "digits"): Channel._say_digits,
    ("say", "number"): Channel._say_number,
    ("record", "file"): Channel._record_file,
    ("hangup",): Channel._hangup,
    ("channel", "status"): Channel._channel_status,
    ("set", "variable"): Channel._set_variable,
    ("get", "variable"): Channel._get_variable,
    ("get", "full", "variable"): Channel._get_full_variable,
    ("exec",): Channel._exec,
    ("verbose",): Channel._verbose,
    ("noop",): Channel._zero,
    ("set", "music"): Channel._zero,
    ("set", "autohangup"): Channel._zero,
    ("set", "callerid"): Channel._set_callerid,
    ("set", "context"): Channel._set_dialplan_position,
    ("set", "extension"): Channel._set_dialplan_position,
    ("set", "priority"): Channel._set_dialplan_position,
    ("database", "get"): Channel._database_get,
    ("database", "put"): Channel._database_put,
    ("database", "del"): Channel._database_del,
}

_TIMED = frozenset({("stream", "file"), ("get", "option"), ("get", "data"), ("wait", "for", "digit"),
                    ("say", "digits"), ("say", "number"), ("record", "file")})
"""Commands that take time on the channel: a hang-up cuts them off."""


def _find(argv: list[str]):
    """The longest command whose words start `argv` (case-insensitive), or (None, None)."""
    lowered = tuple(word.lower() for word in argv)
    best: tuple[str, ...] | None = None
    for words in _COMMANDS:
        if lowered[: len(words)] == words and (best is None or len(words) > len(best)):
            best = words
    return (best, _COMMANDS[best]) if best else (tuple(lowered), None)
