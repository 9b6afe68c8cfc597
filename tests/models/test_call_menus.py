"""A call's three lists read in one statement are the lists each reader gives on its own,
and the directory as it is now, not as it was."""

from __future__ import annotations

from sqlalchemy import select

from models.agencies import Agency, Sector
from models.categories import Category
from models.choices import call_menus, provinces_served
from models.sectors import OTHER_KEY, sector_keys


def test_the_menus_are_the_lists_read_one_by_one(session):
    menus = call_menus(session)
    categories = {str(key): code for key, code in
                  session.execute(select(Category.menu_key, Category.code).order_by(Category.menu_key))}
    assert menus == {"sectors": sector_keys(session), "categories": categories,
                     "provinces": provinces_served(session)}
    assert list(menus["sectors"]) == sorted(menus["sectors"])  # the order the IVR reads them out
    assert menus["sectors"][OTHER_KEY] is None and len(menus["sectors"]) > 1
    assert len(menus["categories"]) > 1 and "tehran" in menus["provinces"]


def test_a_province_added_and_a_service_taken_off_the_menu_show_at_once(session):
    before = call_menus(session)
    assert "sistan_baluchestan" not in before["provinces"]
    sector = session.scalars(select(Sector).where(Sector.menu_key == 1)).one()
    sector.menu_key = None
    session.add(Agency(code="GOV-SIS", level="province", sector_code=sector.code,
                       province_code="sistan_baluchestan", name_fa="استانداری سیستان و بلوچستان",
                       name_en="Sistan and Baluchestan governorate"))
    session.commit()
    menus = call_menus(session)
    assert "sistan_baluchestan" in menus["provinces"] and "1" not in menus["sectors"]
    assert set(menus["sectors"]) == set(before["sectors"]) - {"1"}
