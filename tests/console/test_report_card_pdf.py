"""A report card as a PDF for a period and an agency: Persian shaped and embedded, checked by
turning the PDF into text and images with poppler-utils (pdftotext, pdffonts, pdftoppm)."""

import re
import shutil
import struct
import subprocess
import zlib

import pytest

from tests.console.browser import ARTIFACTS
from tests.console.test_report_cards import data_set, rolled_up  # noqa: F401

POPPLER = ("pdftotext", "pdffonts", "pdftoppm")
"""poppler-utils' tools the checks read the PDF with (`make test` installs them when run as root)."""


@pytest.fixture(autouse=True)
def poppler() -> None:
    """Fail, saying what to install, when poppler-utils is missing: a check that cannot read
    the PDF must not pass by not running."""
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: apt-get install poppler-utils (make test installs it "
                    "when run as root)", pytrace=False)


def _png_pixels(path) -> tuple[int, int, bytes]:
    """Width, height and the raw rows of an 8-bit grey PNG (as pdftoppm -gray writes it)."""
    data = path.read_bytes()
    width, height = struct.unpack(">II", data[16:24])
    chunks, at = [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            chunks.append(data[at + 8:at + 8 + length])
        at += 12 + length
    return width, height, zlib.decompress(b"".join(chunks))


def _inked(path) -> float:
    """The share of a page's pixels that are not white."""
    width, height, rows = _png_pixels(path)
    stride = width + 1  # each row starts with its filter byte
    dark = sum(1 for y in range(height) for x in rows[y * stride + 1:(y + 1) * stride] if x < 200)
    return dark / (width * height)


def test_the_card_pdf_has_the_agencys_persian_name_and_an_embedded_persian_font(
        client, login, rolled_up, tmp_path):
    login("sara")
    response = client.get("/console/reports/MUN-TEH/card.pdf?period=1405")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "foad-report-card-MUN-TEH-1405.pdf" in response.headers["Content-Disposition"]
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(response.get_data())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = re.sub("[\u200e\u200f\u202a-\u202e]", "", text)  # the bidi marks pdftotext writes around lines
    assert "کارنامهٔ ادارهٔ کل امور شهری استانداری تهران" in text and "آبان ۱۴۰۵" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    naskh = [line for line in fonts.splitlines() if "Noto-Naskh-Arabic" in line]
    assert naskh and all(" yes " in line for line in naskh)  # embedded (and subset)
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / "report-card.pdf")
    assert pages and _inked(pages[0]) > 0.01  # a page with text and charts on it, not a blank one


def test_a_card_not_yet_computed_or_of_no_agency_gives_no_pdf(client, login, data_set):
    login("sara")
    assert client.get("/console/reports/MUN-TEH/card.pdf?period=1405").status_code == 503
    assert client.get("/console/reports/NOPE/card.pdf?period=1405").status_code == 404
    assert client.get("/reports/MUN-TEH/card.pdf?period=1405").status_code == 404  # not public
