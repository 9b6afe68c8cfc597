"""The triage queue in a real browser (headless Chromium): moving between tickets and accepting
with the keys, and the agency picker filling as the dispatcher types."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from models.tickets import TicketStatus
from tests.console.browser import screenshot
from tests.console.conftest import reload
from tests.console.test_browser import chromium, log_in, page, site  # noqa: F401  (fixtures)
from tests.console.test_triage_queue import held, waiting
from tests.worker.helpers import JOBS_BUT_SENDING



@pytest.fixture
def queue(session):
    """Three tickets for the dispatcher, oldest first: two held at the national working group,
    one waiting for its citizen to say which province."""
    return [held(session, "حق بیمه", ago=timedelta(hours=2)),
            held(session, caller="09120000007", ago=timedelta(hours=1)),
            waiting(session, "بانک ملی معطلم کرد", caller="09120000008")]


def in_focus(page) -> str | None:
    return page.evaluate("() => document.activeElement && document.activeElement.dataset.code || null")


def test_the_keys_move_between_tickets_and_accept_the_one_in_focus(page, site, person, session, queue, work):
    first, second, third = queue
    log_in(page, site, person)
    page.goto(f"{site}/console/triage")
    assert in_focus(page) == first.code  # the oldest, ready for the keys
    page.keyboard.press("j")
    assert in_focus(page) == second.code
    page.keyboard.press("ArrowDown")
    assert in_focus(page) == third.code
    page.keyboard.press("j")  # the last stays the last
    assert in_focus(page) == third.code
    page.keyboard.press("k")
    page.keyboard.press("ArrowUp")
    assert in_focus(page) == first.code
    screenshot(page, "triage-queue")

    page.keyboard.press("j")
    page.keyboard.press("a")  # the second has no suggestion: nothing happens
    assert page.url.endswith(f"#q-{second.code}") and not page.locator(".flash").count()
    page.keyboard.press("j")
    page.keyboard.press("a")  # the third's: its bank
    page.wait_for_selector(".flash.ok")
    assert work(JOBS_BUT_SENDING)
    assert (reload(session, third).status, third.agency.code) == (TicketStatus.REFERRED, "BMI")
    assert [a.get_attribute("data-code") for a in page.locator(".queue-item").all()] == [first.code, second.code]

    page.keyboard.press("a")  # the focus is on the oldest again: accept it
    page.wait_for_url(re.compile(r"/console/triage"))
    page.wait_for_selector(".flash.ok")
    assert reload(session, first).agency.code == "MCLSW"  # social security, no province: its ministry
    page.keyboard.press("Enter")  # open the one in focus
    page.wait_for_url(re.compile(rf"/console/tickets/{second.code}$"))


def test_typing_in_a_field_is_not_taken_for_the_keys(page, site, person, queue):
    first, _second, _third = queue
    log_in(page, site, person)
    page.goto(f"{site}/console/triage")
    field = page.locator(f"#q-{first.code} input[name=find]")
    field.click()
    page.keyboard.type("ja")
    assert field.input_value() == "ja" and page.locator(".flash").count() == 0


def test_the_agency_picker_fills_as_the_dispatcher_types(page, site, person, session, queue):
    _first, second, _third = queue
    log_in(page, site, person)
    page.goto(f"{site}/console/triage")
    item = page.locator(f"#q-{second.code}")
    item.locator("input[name=find]").fill("ملایر")
    picker = item.locator("select[name=agency]")
    page.wait_for_function("(id) => document.querySelectorAll('#agency-' + id + ' optgroup option').length >= 2",
                           arg=second.code)
    assert picker.input_value() in ("MUN-HAM-MALAYER", "SSO-HAM-MALAYER")
    picker.select_option("SSO-HAM-MALAYER")
    item.locator("form.choose button[type=submit]").click()
    page.wait_for_selector(".flash.ok")
    assert reload(session, second).agency.code == "SSO-HAM-MALAYER"
    screenshot(page, "triage-picked")
