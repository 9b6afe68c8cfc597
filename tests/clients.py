"""A Flask test client for tests that read the database between requests."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session


def ending_transactions(app: Flask, session: Session) -> FlaskClient:
    """Flask's test client, ending the test's own transaction before each request: on SQLite
    any transaction holds the write lock the app's request needs."""

    class Client(FlaskClient):
        def open(self, *args: Any, **kwargs: Any):
            session.rollback()
            return super().open(*args, **kwargs)

    app.test_client_class = Client
    return app.test_client()
