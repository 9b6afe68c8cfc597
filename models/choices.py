"""What a citizen may choose when filing a complaint, the same lists whatever the way in:
the services (sectors) the IVR's menu offers, the complaint categories, the provinces with
agencies in the directory, and a sector's agencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, bindparam, cast, literal, null, select, union_all
from sqlalchemy.orm import Session

from models.agencies import Agency, Sector
from models.categories import Category
from models.lean import Lean
from models.provinces import BY_CODE, Province
from models.sectors import menu_of


@dataclass(frozen=True)
class Choice:
    """One item of a list, named in both languages."""

    code: str
    name_fa: str
    name_en: str

    def name(self, language: str) -> str:
        """Its name in `language` (fa unless en)."""
        return self.name_en if language == "en" else self.name_fa


OTHER_SERVICE = Choice("other", "سایر دستگاه‌ها", "Any other service")
"""The IVR's last sector key: a service not in the menu (the working group triages it)."""


def services(session: Session) -> list[Choice]:
    """The sectors in the IVR's menu order, then "any other service"."""
    rows = session.scalars(select(Sector).where(Sector.menu_key.is_not(None)).order_by(Sector.menu_key))
    return [*(Choice(s.code, s.name_fa, s.name_en) for s in rows), OTHER_SERVICE]


def sector_of(service: str) -> str | None:
    """The sector code a service choice stands for (None for "any other service")."""
    return None if service == OTHER_SERVICE.code else service


def pair(session: Session, service: str, category: str) -> tuple[Choice, Choice] | None:
    """The service the IVR offers and the category with these codes, in one query; None
    unless both exist."""
    if service == OTHER_SERVICE.code:
        row = _CATEGORY.first(session.connection(), {"category": category})
    else:
        row = _PAIR.first(session.connection(), {"category": category, "service": service})
    if row is None:
        return None
    return (Choice(*row[3:]) if len(row) > 3 else OTHER_SERVICE), Choice(*row[:3])


_CATEGORY_QUERY = select(Category.code, Category.label_fa, Category.label_en).where(
    Category.code == bindparam("category"))
_CATEGORY = Lean(_CATEGORY_QUERY)
_PAIR = Lean(_CATEGORY_QUERY.add_columns(Sector.code, Sector.name_fa, Sector.name_en).join_from(
    Category, Sector, (Sector.code == bindparam("service")) & Sector.menu_key.is_not(None)))
"""`pair`'s statements, built once and run lean (models.lean): every Open311 request reads one."""


def categories(session: Session) -> list[Choice]:
    """The complaint categories in the IVR's menu order."""
    rows = session.scalars(select(Category).order_by(Category.menu_key))
    return [Choice(c.code, c.label_fa, c.label_en) for c in rows]


def provinces_served(session: Session) -> frozenset[str]:
    """The codes of the provinces that have agencies in the directory."""
    return frozenset(session.scalars(select(Agency.province_code).where(Agency.province_code.is_not(None))
                                     .distinct()))


_CALL_MENUS = Lean(union_all(
    select(literal("sectors").label("menu"), Sector.menu_key.label("key"), Sector.code.label("code"))
    .where(Sector.menu_key.is_not(None)),
    select(literal("categories"), Category.menu_key, Category.code),
    select(literal("provinces"), cast(null(), Integer), Agency.province_code).where(Agency.province_code.is_not(None)).distinct(),
).order_by("menu", "key"))
"""Built once, run lean (models.lean): a call reads the three lists it offers in one round trip, not three."""


def call_menus(session: Session) -> dict[str, Any]:
    """What a call may choose from, read together: "sectors" (`models.sectors.sector_keys`),
    "categories" (menu key → category code) and "provinces" (`provinces_served`)."""
    rows: dict[str, list[tuple[int, str]]] = {"sectors": [], "categories": [], "provinces": []}
    for menu, key, code in _CALL_MENUS.rows(session.connection(), {}):  # Core: nothing is flushed first
        rows[menu].append((key, code))
    return {"sectors": menu_of(rows["sectors"]),
            "categories": {str(key): code for key, code in rows["categories"]},
            "provinces": frozenset(code for _key, code in rows["provinces"])}


def provinces(session: Session) -> list[Province]:
    """The provinces that have agencies in the directory, in their order of area codes."""
    served = provinces_served(session)
    return sorted((BY_CODE[code] for code in served if code in BY_CODE), key=lambda p: p.area_code)


def sectors_with_agencies(session: Session) -> set[str]:
    """The sectors that have at least one agency in the directory."""
    return set(session.scalars(select(Agency.sector_code).distinct()))


def agencies(session: Session, sector: str | None) -> list[Agency]:
    """The agencies of a sector, by code (none for "any other service")."""
    if sector is None:
        return []
    return list(session.scalars(select(Agency).where(Agency.sector_code == sector).order_by(Agency.code)).unique())
