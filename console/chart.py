"""A report card's chart as inline SVG, drawn on the server (no script, no library)."""

from __future__ import annotations

from markupsafe import Markup, escape

from models.persian import persian_decimal, persian_digits
from models.reports.figures import Figures

WIDTH, ROW, LABEL = 360, 26, 150
"""Pixels: the chart's width, the height of one bar's row, the room for the labels."""


def bars(figures: Figures) -> list[tuple[str, float | None]]:
    """What a card's chart shows: its four shares, each 0-1 (None when there is no data)."""
    mean = figures.satisfaction
    return [
        ("پاسخ در مهلت", figures.share_in_time),
        ("رسیدگی‌شده", figures.share_resolved),
        ("رضایت ۴ و ۵", figures.share_satisfied),
        ("میانگین رضایت از ۵", None if mean is None else (mean - 1) / 4),
    ]


def card_chart(figures: Figures, title: str) -> Markup:
    """Horizontal bars, right to left, with the value written beside each bar.

    The SVG is right-to-left like the page, so text-anchor "start" is a text's right edge.
    """
    rows = bars(figures)
    height = ROW * len(rows) + 8
    room = WIDTH - LABEL - 50
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" direction="rtl" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for n, (label, share) in enumerate(rows):
        y = 4 + n * ROW
        length = round(room * (share or 0.0))
        right = WIDTH - LABEL
        parts.append(f'<text x="{WIDTH - 4}" y="{y + 17}" text-anchor="start" class="chart-label">{escape(label)}</text>')
        parts.append(f'<rect x="{right - room}" y="{y + 4}" width="{room}" height="16" class="chart-track"/>')
        parts.append(f'<rect x="{right - length}" y="{y + 4}" width="{length}" height="16" class="chart-bar"/>')
        parts.append(f'<text x="{right - room - 4}" y="{y + 17}" text-anchor="start" class="chart-value">'
                     f"{escape(_value(label, share, figures))}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _value(label: str, share: float | None, figures: Figures) -> str:
    if share is None:
        return "—"
    if label.startswith("میانگین"):
        return persian_decimal(figures.satisfaction)
    return persian_digits(f"{share * 100:.0f}") + "٪"
