"""The console's way to the app's runtime: settings, Redis, the request's session, and the
workers' roll-up of the report cards (which the app hands the console)."""

from __future__ import annotations

from typing import Callable

from flask import Flask, current_app
from sqlalchemy.orm import Session

from models.reports.rollup import Reading
from models.runtime import Runtime, runtime_of

AskRollup = Callable[[Reading], object]
"""Asks the workers to roll up the stale months of a reading (once, however many ask)."""
_ASK_ROLLUP = "console.ask_rollup"


def runtime() -> Runtime:
    """The runtime the app serving this request was made with."""
    return runtime_of(current_app)


def db() -> Session:
    """The request's database session (the app ends it as the request ends)."""
    return runtime().db()


def init_ask_rollup(app: Flask, asker: AskRollup) -> None:
    """Give the console's card pages `asker` to ask the workers for a roll-up."""
    app.extensions[_ASK_ROLLUP] = asker


def ask_rollup(reading: Reading) -> None:
    """Ask the workers to roll up what `reading` found stale; pages never compute."""
    current_app.extensions[_ASK_ROLLUP](reading)
