"""What attachments we keep: raster photos and videos, told by their first bytes.

A sender (or whoever forged the message) declares any type it likes; `image/svg+xml` is an
"image" that runs script when a browser opens it from our origin. So a type is never taken
from a declaration: `sniff` reads the magic bytes at the start of the file and names one of
KEPT, or None. Every channel that takes files in (MMS now, the app later) asks it, and the
console serves a file only as the type it verified. SVG, HTML, XML, PDF and anything else
that is text or a document is never kept, whatever it calls itself.

The rules are written out here rather than taken from a general file-type library: those
guess the likeliest of hundreds of formats, while an allow-list needs a few exact, reviewable
signatures (the ISO media family shares one box, `ftyp`, told apart only by its brands).
"""

from __future__ import annotations

SNIFF_BYTES = 512
"""How much of the start of a file `sniff` needs to decide (fewer only when the file is shorter)."""

JPEG, PNG, GIF, WEBP = "image/jpeg", "image/png", "image/gif", "image/webp"
HEIC, HEIF, AVIF = "image/heic", "image/heif", "image/avif"
MP4, QUICKTIME, THREE_GP, THREE_G2, WEBM = "video/mp4", "video/quicktime", "video/3gpp", "video/3gpp2", "video/webm"
KEPT = frozenset({JPEG, PNG, GIF, WEBP, HEIC, HEIF, AVIF, MP4, QUICKTIME, THREE_GP, THREE_G2, WEBM})
"""Every type `sniff` may answer: what a phone's camera makes."""

EXTENSIONS = {JPEG: ".jpg", PNG: ".png", GIF: ".gif", WEBP: ".webp", HEIC: ".heic", HEIF: ".heif",
              AVIF: ".avif", MP4: ".mp4", QUICKTIME: ".mov", THREE_GP: ".3gp", THREE_G2: ".3g2",
              WEBM: ".webm"}
"""The file name ending a kept file gets, from its verified type."""

_PREFIXES = ((b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG), (b"GIF87a", GIF), (b"GIF89a", GIF))

_BRANDS = {
    **dict.fromkeys((b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"), HEIC),
    **dict.fromkeys((b"mif1", b"msf1"), HEIF),
    **dict.fromkeys((b"avif", b"avis"), AVIF),
    b"qt  ": QUICKTIME,
    **dict.fromkeys((b"3g2a", b"3g2b", b"3g2c"), THREE_G2),
    **dict.fromkeys((b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
                     b"dash", b"M4V ", b"M4VH", b"M4VP", b"mmp4", b"MSNV", b"f4v "), MP4),
}
"""ISO base media brands (the `ftyp` box) and the type each means; 3GPP brands by prefix."""


def sniff(head: bytes) -> str | None:
    """The kept type the file starting with `head` is, or None for anything else."""
    for prefix, kind in _PREFIXES:
        if head.startswith(prefix):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp":
        return _iso_media(head)
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"\x42\x82\x84webm" in head[:64]:
        return WEBM  # EBML whose DocType element says "webm" (Matroska in general is not kept)
    return None


def _iso_media(head: bytes) -> str | None:
    """The type named by an `ftyp` box: its major brand, else the first compatible one we know."""
    size = int.from_bytes(head[:4], "big")
    box = head[8:min(max(size, 16), len(head))]
    brands = [box[0:4]] + [box[n:n + 4] for n in range(8, len(box) - 3, 4)]
    for brand in brands:
        kind = _BRANDS.get(brand) or (THREE_GP if brand[:3] in (b"3gp", b"3ge", b"3gg", b"3gs") else None)
        if kind:
            return kind
    return None
