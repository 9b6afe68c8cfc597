"""A report card's charts as inline SVG, drawn on the server (no script, no library, no
styles in the markup: the classes are coloured by console.css): the card's bars, its trends
(small lines of twelve months) and the breakdown of its complaints by category."""

from __future__ import annotations

from markupsafe import Markup, escape

from models.persian import persian_decimal, persian_digits
from models.reports.figures import Figures
from models.reports.periods import Period

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
        parts.append(f'<rect x="{right - room}" y="{y + 4}" width="{room}" height="16" class="chart-track" fill="#eef2f6"/>')
        parts.append(f'<rect x="{right - length}" y="{y + 4}" width="{length}" height="16" class="chart-bar" fill="#0b6e6e"/>')
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


SPARK_W, SPARK_H, SPARK_PAD = 150, 40, 4
"""Pixels: a trend's width and height, and the room kept at its edges."""
BAR_ROW = 20
"""Pixels: the height of one category's row in a breakdown."""


def sparkline(values: list[float | None], labels: list[str], title: str, *, top: float | None = None) -> Markup:
    """A small line of monthly values (oldest on the right, as Persian reads), a dot on each
    month with a value and a gap where there is none; `top` is the scale's top (else the
    largest value). Each dot's title names its month and value."""
    top = top or max((v for v in values if v is not None), default=0) or 1
    step = (SPARK_W - 2 * SPARK_PAD) / max(len(values) - 1, 1)
    points = [(SPARK_W - SPARK_PAD - n * step, SPARK_H - SPARK_PAD - (v / top) * (SPARK_H - 2 * SPARK_PAD))
              if v is not None else None for n, v in enumerate(values)]
    parts = [f'<svg class="spark" role="img" aria-label="{escape(title)}" viewBox="0 0 {SPARK_W} {SPARK_H}" '
             f'width="{SPARK_W}" height="{SPARK_H}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<line x1="{SPARK_PAD}" y1="{SPARK_H - SPARK_PAD}" x2="{SPARK_W - SPARK_PAD}" y2="{SPARK_H - SPARK_PAD}" class="spark-axis" stroke="#dde3ea"/>']
    for run in _runs(points):
        parts.append('<polyline class="spark-line" fill="none" stroke="#0b6e6e" stroke-width="1.5" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in run) + '"/>')
    for (point, label) in zip(points, labels):
        if point is not None:
            parts.append(f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="2" class="spark-dot" fill="#0b6e6e"><title>{escape(label)}</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _runs(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """The unbroken stretches of points (a month without a value breaks the line)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if len(run) > 1]


def breakdown(rows: list[tuple[str, int]], title: str) -> Markup:
    """Horizontal bars of counts, right to left, each labelled with its name and count."""
    top = max((count for _n, count in rows), default=0) or 1
    height = BAR_ROW * len(rows) + 4
    room = WIDTH - LABEL - 40
    parts = [f'<svg class="breakdown" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" direction="rtl" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for n, (name, count) in enumerate(rows):
        y, length = 2 + n * BAR_ROW, round(room * count / top)
        right = WIDTH - LABEL
        parts.append(f'<text x="{WIDTH - 4}" y="{y + 14}" text-anchor="start" class="chart-label">{escape(name)}</text>')
        parts.append(f'<rect x="{right - length}" y="{y + 3}" width="{length}" height="13" class="chart-bar" fill="#0b6e6e"/>')
        parts.append(f'<text x="{right - length - 4}" y="{y + 14}" text-anchor="start" class="chart-value">'
                     f"{persian_digits(count)}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_charts(months: tuple[Period, ...], figures: list[Figures], whose: str) -> list[tuple[str, Markup]]:
    """A card's three trends over `months`: complaints, share answered in time, satisfaction;
    each with its caption (and the latest month's value)."""
    def label(month: Period, value: str) -> str:
        return f"{month.label}: {value}"

    counts = [f.complaints for f in figures]
    in_time = [f.share_in_time for f in figures]
    liked = [f.satisfaction for f in figures]
    return [
        (f"شکایت‌ها (واپسین ماه {persian_digits(counts[-1])})",
         sparkline(counts, [label(m, persian_digits(n)) for m, n in zip(months, counts)], f"روند شکایت‌های {whose}")),
        (f"پاسخ در مهلت (واپسین ماه {_share(in_time[-1])})",
         sparkline(in_time, [label(m, _share(s)) for m, s in zip(months, in_time)], f"روند پاسخ در مهلت {whose}",
                   top=1.0)),
        (f"رضایت (واپسین ماه {_mean(liked[-1])})",
         sparkline(liked, [label(m, _mean(s)) for m, s in zip(months, liked)], f"روند رضایت {whose}", top=5.0)),
    ]


def _share(value: float | None) -> str:
    return "—" if value is None else persian_digits(f"{value * 100:.0f}") + "٪"


def _mean(value: float | None) -> str:
    return "—" if value is None else persian_decimal(value)
