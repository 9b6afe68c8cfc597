"""A report card as a PDF: the card's page rendered by WeasyPrint (HTML and CSS to PDF, with
HarfBuzz shaping Persian through Pango), the Persian font (Noto Naskh Arabic, Debian's
fonts-noto-core) embedded in the file.

WeasyPrint needs Debian's Pango at run time (`make run` and `make test` install it); it is
imported when a PDF is asked for, so the rest of the console runs without it. The page
fetches nothing: its charts are inline SVG and its stylesheet is read from this package.
"""

from __future__ import annotations

import logging
from pathlib import Path

from werkzeug.exceptions import ServiceUnavailable

log = logging.getLogger(__name__)

STYLESHEET = Path(__file__).parent / "static" / "report-card-print.css"


def render(html: str) -> bytes:
    """The PDF of `html`, styled by the print stylesheet."""
    try:
        from weasyprint import CSS, HTML  # loads Pango: only when a PDF is wanted
    except OSError as missing:
        log.error("report card PDF: WeasyPrint cannot load Pango", extra={"error": str(missing)})
        raise ServiceUnavailable("report card PDFs need Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0)")
    return HTML(string=html, url_fetcher=_nothing).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])


def _nothing(url: str, *_args: object, **_kwargs: object) -> dict:
    """Refuse every fetch: the card carries all it shows."""
    raise ValueError(f"the report card PDF fetches nothing ({url})")
