"""Photos and videos are told by their first bytes: what phones make is kept, scripts never."""

import pytest

from models.uploads import NotMedia, TooLarge, kind_of, write_capped

FTYP = b"\x00\x00\x00\x18ftyp"


@pytest.mark.parametrize("head, kind", [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    (b"GIF89a", "image/gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
    (FTYP + b"heic\x00\x00\x00\x00mif1heic", "image/heic"),
    (FTYP + b"mp42\x00\x00\x00\x00mp42isom", "video/mp4"),
    (FTYP + b"isom\x00\x00\x02\x00isomiso2", "video/mp4"),
    (b"\x00\x00\x00\x14ftyp3gp4\x00\x00\x00\x00", "video/3gpp"),
    (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "video/quicktime"),
])
def test_the_formats_phones_make_are_kept(head, kind):
    assert kind_of(head + b"\x00" * 64) == kind


@pytest.mark.parametrize("head", [
    b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>",
    b"<!DOCTYPE html><html><body>x</body></html>", b"%PDF-1.4\n", b"MZ\x90\x00", b"", b"just words",
])
def test_scripts_documents_and_unknown_bytes_are_not(head):
    with pytest.raises(NotMedia):
        kind_of(head)


def test_a_capped_write_keeps_nothing_past_the_limit(tmp_path):
    target = tmp_path / "a" / "b.png"
    assert write_capped([b"12", b"34"], target, 4) == 4 and target.read_bytes() == b"1234"
    with pytest.raises(TooLarge):
        write_capped([b"12", b"345"], tmp_path / "c.png", 4)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["b.png"]
