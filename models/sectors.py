"""The service menu: the key a citizen presses on the phone, or texts, for each sector."""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import ScalarSelect, String, cast, func, select
from sqlalchemy.orm import Session

from models.agencies import Sector

OTHER_KEY = "9"
"""The menu key for "another service": the FOAD working group triages those."""


def sector_keys(session: Session) -> dict[str, str | None]:
    """Menu key → sector code; the "other" key maps to None (the working group triages it)."""
    # Never flushing: the menu is reference data no caller changes in the transaction that
    # reads it, and a flush here would write an SMS answer's pending rows twice (once now,
    # once more at commit for what changes after).
    with session.no_autoflush:
        rows = session.execute(select(Sector.menu_key, Sector.code).where(Sector.menu_key.is_not(None))
                               .order_by(Sector.menu_key)).all()
    return menu_of(rows)


def menu_of(rows: Iterable[tuple[int, str]]) -> dict[str, str | None]:
    """The menu from (key, sector code) rows in key order, with the "other" key."""
    keys: dict[str, str | None] = {str(key): code for key, code in rows}
    keys.setdefault(OTHER_KEY, None)
    return keys


def menu_column() -> ScalarSelect[str]:
    """The menu as one text value, for a statement that reads it beside other things
    (`menu_from_text` reads it back): "key:code" pairs joined by commas."""
    pair = cast(Sector.menu_key, String) + ":" + Sector.code
    return select(func.aggregate_strings(pair, ",")).where(Sector.menu_key.is_not(None)).scalar_subquery()


def menu_from_text(text: str | None) -> dict[str, str | None]:
    """The menu from `menu_column`'s value."""
    pairs = (part.split(":", 1) for part in text.split(",")) if text else ()
    return menu_of(sorted((int(key), code) for key, code in pairs))
