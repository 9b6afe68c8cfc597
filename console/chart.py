"""A report card's charts as inline SVG, drawn on the server (no script, no library, no style
attributes): the card's bars, its trends (small lines of twelve months) and the breakdown of
its complaints by category. Classes colour them on screen (console.css); the same colours are
given as presentation attributes too, which a PDF renderer reads where it ignores classes.

Bar charts are right-to-left like the page, so text-anchor "start" is a text's right edge.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from models.persian import persian_decimal, persian_digits
from models.reports.figures import Figures
from models.reports.periods import Period

WIDTH, ROW, LABEL = 360, 26, 150
"""Pixels: the chart's width, the height of one bar's row, the room for the labels."""
SPARK_W, SPARK_H, SPARK_PAD = 150, 40, 4
"""Pixels: a trend's width and height, and the room kept at its edges."""
BAR_ROW = 20
"""Pixels: the height of one category's row in a breakdown."""
INK, TRACK, AXIS = "#0b6e6e", "#eef2f6", "#dde3ea"
"""The accent, a bar's empty track and a trend's axis (console.css's --accent, and the rest)."""


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
    """Horizontal bars of the card's shares, with the value written beside each bar."""
    rows = bars(figures)
    height = ROW * len(rows) + 8
    room, right = WIDTH - LABEL - 50, WIDTH - LABEL
    parts = [_open("chart", title, WIDTH, height, rtl=True)]
    for n, (label, share) in enumerate(rows):
        y, length = 4 + n * ROW, round(room * (share or 0.0))
        parts += [_text(WIDTH - 4, y + 17, label, "chart-label"), _rect(right - room, y + 4, room, 16, "chart-track", TRACK),
                  _rect(right - length, y + 4, length, 16, "chart-bar", INK),
                  _text(right - room - 4, y + 17, _value(label, share, figures), "chart-value")]
    return Markup("".join([*parts, "</svg>"]))


def breakdown(rows: list[tuple[str, int]], title: str) -> Markup:
    """Horizontal bars of counts, each labelled with its name and count."""
    top = max((count for _n, count in rows), default=0) or 1
    room, right = WIDTH - LABEL - 40, WIDTH - LABEL
    parts = [_open("breakdown", title, WIDTH, BAR_ROW * len(rows) + 4, rtl=True)]
    for n, (name, count) in enumerate(rows):
        y, length = 2 + n * BAR_ROW, round(room * count / top)
        parts += [_text(WIDTH - 4, y + 14, name, "chart-label"), _rect(right - length, y + 3, length, 13, "chart-bar", INK),
                  _text(right - length - 4, y + 14, persian_digits(count), "chart-value")]
    return Markup("".join([*parts, "</svg>"]))


def sparkline(values: list[float | None], labels: list[str], title: str, *, top: float | None = None) -> Markup:
    """A small line of monthly values (oldest on the right, as Persian reads), a dot on each
    month with a value and a gap where there is none; `top` is the scale's top (else the
    largest value). Each dot's title names its month and value."""
    top = top or max((v for v in values if v is not None), default=0) or 1
    step = (SPARK_W - 2 * SPARK_PAD) / max(len(values) - 1, 1)
    points = [None if v is None else (SPARK_W - SPARK_PAD - n * step,
                                      SPARK_H - SPARK_PAD - (v / top) * (SPARK_H - 2 * SPARK_PAD))
              for n, v in enumerate(values)]
    base = SPARK_H - SPARK_PAD
    parts = [_open("spark", title, SPARK_W, SPARK_H),
             f'<line x1="{SPARK_PAD}" y1="{base}" x2="{SPARK_W - SPARK_PAD}" y2="{base}" class="spark-axis" '
             f'stroke="{AXIS}"/>']
    for run in _runs(points):
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
        parts.append(f'<polyline class="spark-line" fill="none" stroke="{INK}" stroke-width="1.5" points="{line}"/>')
    for point, label in zip(points, labels):
        if point is not None:
            parts.append(f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="2" class="spark-dot" fill="{INK}">'
                         f"<title>{escape(label)}</title></circle>")
    return Markup("".join([*parts, "</svg>"]))


def trend_charts(months: tuple[Period, ...], figures: list[Figures], whose: str) -> list[tuple[str, Markup]]:
    """A card's three trends over `months`: complaints, share answered in time, satisfaction;
    each with its caption (and the latest month's value)."""
    counts = [f.complaints for f in figures]
    in_time = [f.share_in_time for f in figures]
    liked = [f.satisfaction for f in figures]
    return [
        (f"شکایت‌ها (واپسین ماه {persian_digits(counts[-1])})",
         sparkline(counts, _labels(months, counts, persian_digits), f"روند شکایت‌های {whose}")),
        (f"پاسخ در مهلت (واپسین ماه {_share(in_time[-1])})",
         sparkline(in_time, _labels(months, in_time, _share), f"روند پاسخ در مهلت {whose}", top=1.0)),
        (f"رضایت (واپسین ماه {_mean(liked[-1])})",
         sparkline(liked, _labels(months, liked, _mean), f"روند رضایت {whose}", top=5.0)),
    ]


def _open(kind: str, title: str, width: int, height: int, *, rtl: bool = False) -> str:
    """The opening of an SVG chart of class `kind`, with its accessible title."""
    direction = ' direction="rtl"' if rtl else ""
    return (f'<svg class="{kind}" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}"{direction} xmlns="http://www.w3.org/2000/svg">'
            f"<title>{escape(title)}</title>")


def _text(x: int, y: int, words: str, kind: str) -> str:
    return f'<text x="{x}" y="{y}" text-anchor="start" class="{kind}">{escape(words)}</text>'


def _rect(x: int, y: int, width: int, height: int, kind: str, fill: str) -> str:
    return f'<rect x="{x}" y="{y}" width="{width}" height="{height}" class="{kind}" fill="{fill}"/>'


def _runs(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """The unbroken stretches of points (a month without a value breaks the line)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if len(run) > 1]


def _labels(months: tuple[Period, ...], values: list, written) -> list[str]:
    return [f"{month.label}: {written(value)}" for month, value in zip(months, values)]


def _value(label: str, share: float | None, figures: Figures) -> str:
    if share is None:
        return "—"
    if label.startswith("میانگین"):
        return persian_decimal(figures.satisfaction)
    return _share(share)


def _share(value: float | None) -> str:
    return "—" if value is None else persian_digits(f"{value * 100:.0f}") + "٪"


def _mean(value: float | None) -> str:
    return "—" if value is None else persian_decimal(value)
