"""The public report cards: the same aggregates as the console, no log-in, no personal data."""

from __future__ import annotations

from flask import Blueprint

from console.reports import chosen_period, csv_response, page

bp = Blueprint("public", __name__)


@bp.get("/reports")
def index():
    """Every agency's card for a period, for anyone."""
    return page(chosen_period(), public=True)


@bp.get("/reports.csv")
def export():
    """The same cards as CSV, for anyone."""
    return csv_response(chosen_period())
