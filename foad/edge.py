"""Input no view should see, refused where it enters the app: a clear 400 or 404, never a 500.

PostgreSQL refuses a NUL character in any text and an id past its integer column; the app
would answer such a request with a fault. So, for every blueprint (those added later too):
- a NUL in the path, the query string, or a form field is a 400, except on the blueprints
  named as cleaning their own forms (the SMS webhook keeps a text whose one field is bad);
- an `<int:…>` in a route matches only ids a row can have (1 to models.base.MAX_ROW_ID):
  a larger number names no row, so it is a 404 like any other missing one.
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

from models.base import MAX_ROW_ID

NUL = "\x00"


class RowIdConverter(IntegerConverter):
    """Werkzeug's `int` converter held to the ids a row can have."""

    def __init__(self, map, *args: object, **kwargs: object) -> None:  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def install(app: Flask, *, cleaning_own_forms: tuple[str, ...] = ()) -> None:
    """Guard `app`'s edge; call before any blueprint is registered (its routes take the
    converter when they are added)."""
    app.url_map.converters["int"] = RowIdConverter

    @app.before_request
    def _refuse_nul() -> None:
        if NUL in request.path or any(NUL in k or NUL in v for k, v in request.args.items(multi=True)):
            abort(400)
        if request.blueprint in cleaning_own_forms or request.method not in ("POST", "PUT", "PATCH"):
            return
        if any(NUL in k or NUL in v for k, v in request.form.items(multi=True)):
            abort(400)
