"""Plugging the citizen page into the Flask app: its blueprint, with the routes of each step."""

from __future__ import annotations

from flask import Flask

from citizen import filing, following  # noqa: F401  (their routes register on the page's blueprint)
from citizen.page import bp


def init_app(app: Flask) -> None:
    """Serve the page: filing a complaint (`citizen.filing`) and following one (`citizen.following`)."""
    app.register_blueprint(bp)
