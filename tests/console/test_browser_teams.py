"""Working together and finding things, in a real browser (headless Chromium): a note with a
mention, taking a ticket, a Persian search, a report card's figure leading to its tickets,
and the phone layout; with screenshots in test-artifacts/."""

from __future__ import annotations

import re

import pytest

from tests.console.browser import screenshot
from tests.console.conftest import referred, reload
from tests.console.test_browser import chromium, log_in, page, settings, site  # noqa: F401  (fixtures)
from tests.console.test_report_cards import data_set, rolled_up  # noqa: F401  (fixtures)



@pytest.fixture
def other(chromium):  # noqa: F811  (the fixture imported above)
    """A second person's browser."""
    context = chromium.new_context(locale="fa-IR", timezone_id="Asia/Tehran", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def rows(page) -> list[str]:  # noqa: F811
    return [r.get_attribute("data-code") for r in page.locator("tbody#rows tr[data-code]").all()]


def test_a_note_mentions_a_colleague_who_finds_it_under_for_me(page, other, site, person, session):  # noqa: F811
    ticket = referred(session, "MUN-TEH", text="کارمند باجه سه ساعت نیامد")
    person("reza")
    log_in(page, site, person, "sara")
    page.goto(f"{site}/console/tickets/{ticket.code}")
    page.click(".mentions [data-mention='reza']")  # the chip writes @reza into the note
    assert page.locator("textarea[name=note]").input_value() == "@reza "
    page.locator("textarea[name=note]").press_sequentially("لطفاً با رئیس شعبه تماس بگیر")
    page.click("button[value=note]")
    page.wait_for_selector(".flash.ok")
    entry = page.locator(".timeline li.note").last
    assert "@reza لطفاً با رئیس شعبه تماس بگیر" in entry.inner_text() and "sara" in entry.inner_text()
    assert page.locator("textarea[name=note]").input_value() == ""  # a saved note's draft is forgotten
    screenshot(page, "ticket-note")

    log_in(other, site, person, "reza")
    assert other.locator("nav a[data-unread='1'] .badge").inner_text() == "۱"
    other.click("nav a[data-unread='1']")
    other.wait_for_url(f"{site}/console/mentions")
    assert other.locator("li.unread").count() == 1
    screenshot(other, "for-me")
    other.click(f"li[data-ticket='{ticket.code}'] a")
    other.wait_for_url(f"{site}/console/tickets/{ticket.code}")
    assert other.locator("nav a[data-unread='0']").count() == 1  # opening the ticket read it


def test_an_inspector_takes_a_ticket_and_finds_it_under_my_tickets(page, site, person, session):  # noqa: F811
    mine = referred(session, "MUN-TEH")
    others = referred(session, "MUN-TEH", caller="09120001111")
    log_in(page, site, person, "reza")
    page.goto(f"{site}/console/tickets/{mine.code}")
    page.select_option("select[name=assignee]", "reza")
    page.click("button[value=assign]")
    page.wait_for_selector(".flash.ok")
    assert page.locator("dd[data-assignee='reza']").count() == 1
    page.goto(f"{site}/console/tickets")
    page.select_option("select[name=assignee]", "me")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r"assignee=me"))
    assert rows(page) == [mine.code]
    assert page.locator(f"tr[data-code='{mine.code}'] td[data-assignee='reza']").count() == 1
    screenshot(page, "my-tickets")
    page.select_option("select[name=assignee]", "none")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r"assignee=none"))
    assert rows(page) == [others.code]


def test_a_search_typed_in_persian_finds_and_marks_the_words(page, site, person, session):  # noqa: F811
    found = referred(session, "MUN-TEH", text="کارمندان باجهٔ ۳ دو ساعت نیامدند و کسی پاسخ نداد")
    referred(session, "MUN-TEH", caller="09120001111", text="نانوایی بسته بود")
    log_in(page, site, person, "sara")
    page.fill("input[name=q]", "كارمند باجه")  # an Arabic keyboard's kaf
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r"q="))
    assert rows(page) == [found.code]
    assert page.locator(f"tr[data-code='{found.code}'] .excerpt mark").all_inner_texts() == ["کارمندان", "باجهٔ"]
    screenshot(page, "search")


def test_a_report_cards_figure_leads_to_the_tickets_behind_it(page, site, person, rolled_up):  # noqa: F811
    log_in(page, site, person, "sara")
    page.goto(f"{site}/console/reports?period=1405-Q3")
    assert page.locator("[data-summary=country] [data-sum=complaints]").inner_text() == "۶"
    assert page.locator("article[data-agency='MUN-TEH'] svg.spark").count() == 3  # the trends
    assert page.locator("article[data-agency='MUN-TEH'] svg.breakdown").count() == 1  # the criteria
    screenshot(page, "report-cards-summary")
    page.click("article[data-agency='MUN-TEH'] [data-figure=share_in_time] a")
    page.wait_for_url(re.compile(r"figure=in_time"))
    assert "پاسخ در مهلت" in page.locator("[data-drill]").inner_text()
    assert len(rows(page)) == 1  # E, the one answered in time that quarter
    screenshot(page, "report-drill-down")


def test_on_a_phone_filters_fold_and_tables_are_cards(chromium, site, person, session, rolled_up):  # noqa: F811
    ticket = referred(session, "MUN-TEH")
    phone = chromium.new_context(locale="fa-IR", timezone_id="Asia/Tehran", viewport={"width": 375, "height": 740},
                                 is_mobile=True, has_touch=True)
    page = phone.new_page()  # noqa: F811
    try:
        log_in(page, site, person, "sara")
        assert not page.locator("#filters").is_visible()
        page.click(".filters-toggle")
        assert page.locator("#filters").is_visible()
        assert page.locator(f"tr[data-code='{ticket.code}'] td[data-label='موضوع']").count() == 1
        screenshot(page, "phone-filters")
        page.goto(f"{site}/reports?period=1405-Q3")
        assert not page.locator("nav.periods").is_visible() and page.locator(".period-pick select").is_visible()
        page.select_option(".period-pick select", label="تابستان ۱۴۰۵")  # the period opens at once
        page.wait_for_url(re.compile(r"period=1405-Q2"))
        assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
        screenshot(page, "phone-public-cards")
    finally:
        phone.close()
    reload(session, ticket)
