"""Texts to and from SMPP's octets: the encoding a text goes in, its parts when it is long,
and an inbound short_message (with its user data header) back to a text.

Parts are cut at the sizes the engine counts segments with (models.notices): 153 GSM-7
septets or 67 UCS-2 units a part, whether the parts are tied by an 8-bit-reference user
data header or by SAR TLVs (the SMSC then writes the header itself and needs the same
room), so a text never goes in more parts than the engine's budget counted.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

from models.notices import gsm7

GSM7, LATIN1, UCS2 = 0, 3, 8
"""data_coding values: SMSC default alphabet (GSM-7, one septet an octet), ISO-8859-1, UCS-2."""
IA5 = 1
"""data_coding: IA5 (ASCII)."""
SINGLE = {GSM7: 160, UCS2: 140}
"""Octets of one unsplit message: 160 unpacked septets, or 70 UCS-2 characters."""
PART = {GSM7: 153, UCS2: 134}
"""Octets of a part's text: what is left of 140 octets (160 septets) after a 6-octet header."""
UDHI = 0x40
"""esm_class bit: short_message starts with a user data header."""
CONCAT_8BIT, CONCAT_16BIT = 0x00, 0x08
"""User data header elements of a concatenated message (8- or 16-bit reference)."""


@dataclass(frozen=True)
class Part:
    """One submit_sm's worth of a text."""

    short_message: bytes
    esm_class: int = 0
    sar: tuple[int, int, int] | None = None
    """(reference, total, seq) for SAR TLVs."""


@dataclass(frozen=True)
class Outgoing:
    """A text ready for submit_sm: its data_coding and its parts."""

    data_coding: int
    parts: list[Part]


def outgoing(text: str, *, gsm7_ok: bool = True, sar: bool = False) -> Outgoing:
    """`text` encoded (GSM-7 when it can carry it and the SMSC takes it, else UCS-2) and cut
    into parts tied by a user data header (or, with `sar`, by SAR TLVs)."""
    coding = GSM7 if gsm7_ok and gsm7(text) else UCS2
    octets = text.encode("gsm03.38") if coding == GSM7 else text.encode("utf-16-be")
    if len(octets) <= SINGLE[coding]:
        return Outgoing(coding, [Part(octets)])
    size = PART[coding]
    chunks = [octets[i:i + size] for i in range(0, len(octets), size)]
    reference, total = secrets.randbelow(256), len(chunks)
    if sar:
        return Outgoing(coding, [Part(c, sar=(reference, total, n)) for n, c in enumerate(chunks, 1)])
    header = bytes([5, CONCAT_8BIT, 3, reference, total])
    return Outgoing(coding, [Part(header + bytes([n]) + c, UDHI) for n, c in enumerate(chunks, 1)])


@dataclass(frozen=True)
class Concat:
    """Where a part sits in a long text: its reference, the number of parts and its place."""

    reference: int
    total: int
    seq: int


def split_header(short_message: bytes, esm_class: int) -> tuple[Concat | None, bytes]:
    """A short_message's concatenation header (when it has one) and the text's octets."""
    if not esm_class & UDHI or not short_message:
        return None, short_message
    length = short_message[0]
    header, rest = short_message[1:1 + length], short_message[1 + length:]
    return _concat(header), rest


def _concat(header: bytes) -> Concat | None:
    at = 0
    while at + 2 <= len(header):
        element, size = header[at], header[at + 1]
        value = header[at + 2:at + 2 + size]
        if element == CONCAT_8BIT and size == 3:
            return Concat(value[0], value[1], value[2])
        if element == CONCAT_16BIT and size == 4:
            return Concat(int.from_bytes(value[:2], "big"), value[2], value[3])
        at += 2 + size
    return None


def decode(octets: bytes, data_coding: int) -> str:
    """A text from its octets: UCS-2, GSM-7 (unpacked), Latin-1 or ASCII; unknown codings
    (and GSM-7 that is not) read as Latin-1, so a text is never lost for its bytes."""
    if data_coding == UCS2:
        return octets.decode("utf-16-be", errors="replace")
    if data_coding == GSM7:
        try:
            return octets.decode("gsm03.38")
        except UnicodeDecodeError:
            return octets.decode("latin-1")
    if data_coding == IA5:
        return octets.decode("ascii", errors="replace")
    return octets.decode("latin-1")
