"""The `520` usage blocks Asterisk answers to a command with the wrong arguments.

Asterisk prints each command's documentation there, which changes between releases. Only
the texts of STREAM FILE and RECORD FILE were captured from Asterisk 22; any other command
gets the same block around a placeholder of ours (see `PLACEHOLDER`), not Asterisk's words.
"""

from __future__ import annotations

_USAGE = {
    "stream file": (
        "Send the given file, allowing playback to be interrupted by the given digits, if any. "
        "Returns <literal>0</literal> if playback completes without a digit being pressed, or the "
        "ASCII numerical value of the digit if one was pressed, or <literal>-1</literal> on error or "
        "if the channel was disconnected. If musiconhold is playing before calling stream file it "
        "will be automatically stopped and will not be restarted after completion.\n"
        "It sets the following channel variables upon completion:\n"
        "<variable>PLAYBACKSTATUS</variable>: The status of the playback attempt as a text string.\n"
        "    <value>SUCCESS</value>\n"
        "    <value>FAILED</value>\n"
    ),
    "record file": (
        "Record to a file until a given dtmf digit in the sequence is received. Returns "
        "<literal>-1</literal> on hangup or error.  The format will specify what kind of file will "
        "be recorded. The <replaceable>timeout</replaceable> is the maximum record time in "
        "milliseconds, or <literal>-1</literal> for no <replaceable>timeout</replaceable>. "
        "<replaceable>offset samples</replaceable> is optional, and, if provided, will seek to the "
        "offset without exceeding the end of the file. <replaceable>beep</replaceable> can take any "
        "value, and causes Asterisk to play a beep to the channel that is about to be recorded. "
        "<replaceable>silence</replaceable> is the number of seconds of silence allowed before the "
        "function returns despite the lack of dtmf digits or reaching "
        "<replaceable>timeout</replaceable>. <replaceable>silence</replaceable> value must be "
        "preceded by <literal>s=</literal> and is also optional.\n"
    ),
}
"""Word for word what Asterisk 22 printed (see tests/ivr/data/asterisk-agi-transcripts.txt)."""


PLACEHOLDER = "(foad's test peer: Asterisk's usage text for {command} was not captured)\n"
"""The middle of the block for commands whose real text we do not have."""


def usage(command: str) -> str:
    """The whole 520 block for `command` (its words in lower case)."""
    text = _USAGE.get(command, PLACEHOLDER.format(command=command.upper()))
    return f"520-Invalid command syntax.  Proper usage follows:\n{text}520 End of proper usage.\n"
