"""The console's and the public cards' error pages: 403, 404, 405 and 500, in Persian, each
leading back where it belongs."""

from __future__ import annotations

import logging
import re
from dataclasses import replace

import pytest

from foad.app import create_app
from foad.runtime import make_runtime
from tests.console.conftest import PASSWORD, csrf_token, referred


@pytest.fixture
def broken_app(settings, tmp_path):
    """The app on a database file that is no database: every query fails, as when a disk or
    the database server goes."""
    garbage = tmp_path / "broken.sqlite3"
    garbage.write_text("this is not a database\n" * 100)
    runtime = make_runtime(replace(settings, database_url=f"sqlite:///{garbage}"), settings.redis_url)
    yield create_app(runtime)  # not TESTING: a fault is answered, not raised into the test
    runtime.close()


def test_a_wrong_method_in_the_console_gets_a_persian_405_page(client, session, login):
    ticket = referred(session, "MUN-TEH")
    login("sara")
    response = client.get(f"/console/tickets/{ticket.code}/resolve")  # the form POSTs there
    html = response.get_data(as_text=True)
    assert response.status_code == 405 and 'data-code="405"' in html
    assert "این نشانی این‌گونه باز نمی‌شود" in html and 'href="/console/"' in html


def test_the_public_pages_errors_lead_back_to_the_public_cards(client):
    for response in (client.get("/reports?period=9999"), client.post("/reports")):
        html = response.get_data(as_text=True)
        assert response.status_code in (404, 405) and f'data-code="{response.status_code}"' in html
        links = re.findall(r'<a [^>]*href="([^"]+)"', html)
        assert "/reports" in links and not [link for link in links if link.startswith("/console")]


def test_the_consoles_404_leads_to_the_console(client, login):
    login("sara")
    response = client.get("/console/tickets/1234567890")
    assert response.status_code == 404 and 'href="/console/"' in response.get_data(as_text=True)


def test_a_fault_gets_a_persian_500_page_and_is_logged(broken_app, caplog):
    with caplog.at_level(logging.ERROR):
        response = broken_app.test_client().get("/reports?period=1405")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and 'data-code="500"' in html
    assert "خطایی در سامانه رخ داد و ثبت شد" in html and 'href="/reports"' in html
    assert any(r.exc_info and "DatabaseError" in r.exc_info[0].__name__ for r in caplog.records)


def test_a_fault_in_a_console_form_gets_the_500_page_too(broken_app):
    browser = broken_app.test_client()
    token = csrf_token(browser)  # the log-in form needs no database; checking the password does
    response = browser.post("/console/login", data={"name": "sara", "password": PASSWORD, "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and 'data-code="500"' in html and 'href="/console/"' in html


def test_when_even_the_error_page_needs_the_database_the_answer_is_still_persian(client, login, broken_app):
    login("sara")  # on the working app; then the database goes
    browser = broken_app.test_client()
    browser.set_cookie("session", client.get_cookie("session").value)
    response = browser.get("/console/tickets")
    assert response.status_code == 500 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "خطایی در سامانه رخ داد و ثبت شد؛ کمی بعد دوباره بکوشید."
