"""How the `foad` commands print: aligned tables with a header for people, JSON for scripts."""

from __future__ import annotations

import json
import sys
from typing import Sequence

import click


def echo_json(doc: object) -> None:
    """One JSON document on stdout (ISO 8601 dates, Persian as it is)."""
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def echo_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """`rows` under `header`, each column as wide as its widest cell; the last one free."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    for row in (header, *rows):
        cells = [f"{str(cell):<{width}}" for cell, width in zip(row[:-1], widths)]
        click.echo("  ".join([*cells, str(row[-1])]).rstrip())
