"""The console under attack: script smuggled into a page or framed around it, pages kept in a
shared cache, input PostgreSQL cannot hold, an inspector unmasking callers by search, the
session cookie sent over plain http."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from foad.app import create_app
from tests.console.browser import CHROMIUM, FLAGS, MISSING, live_server
from tests.console.conftest import PASSWORD, csrf_token, referred

ROOT = Path(__file__).resolve().parents[2]
CALLER = "09121234567"


def page_policy(response) -> dict[str, str]:
    """The Content-Security-Policy's directives, by name."""
    policy = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


def assert_guarded(response) -> None:
    """Own script and styles only, never framed, never sniffed, not stored, no referrer out."""
    policy = page_policy(response)
    assert policy["script-src"] == "script-src 'self'" and policy["style-src"] == "style-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'" and policy["object-src"] == "object-src 'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_every_kind_of_answer_carries_the_security_headers(client, session, login, twilio):
    ticket = referred(session, "MUN-TEH", caller=CALLER)
    answers = {"log-in form": client.get("/console/login"), "public cards": client.get("/reports"),
               "health": client.get("/healthz"), "unknown path": client.get("/nothing-here"),
               "forged webhook": twilio.post("/sms/twilio/inbound", twilio.form("x"), signature="forged")}
    login("sara")
    answers.update({"ticket list": client.get("/console/tickets"),
                    "ticket page": client.get(f"/console/tickets/{ticket.code}"),
                    "users": client.get("/console/admin/users"), "missing": client.get("/console/admin/nothing")})
    for name, response in answers.items():
        assert_guarded(response)
        assert response.headers["Cache-Control"] == "no-store", name


def test_static_files_keep_their_own_caching_under_the_same_policy(client):
    css = client.get("/console/static/console.css")
    assert css.status_code == 200 and "no-store" not in css.headers["Cache-Control"]
    assert_guarded(css)
    css.close()


def test_no_template_has_inline_script_style_or_handlers():
    # The policy forbids them: a page that had one would break, not just be weaker.
    templates = [p for p in ROOT.glob("*/templates/**/*.html") if ".venv" not in p.parts]
    assert templates
    for path in templates:
        html = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        assert "javascript:" not in html, path


# --- input the database cannot hold --------------------------------------------------------

def test_a_nul_in_a_login_name_is_a_clear_400(client, person):
    person("sara")
    refused = client.post("/console/login", data={"name": "sa\x00ra", "password": PASSWORD,
                                                  "csrf_token": csrf_token(client)})
    assert refused.status_code == 400 and "درخواست پذیرفته نشد" in refused.get_data(as_text=True)


@pytest.mark.parametrize("path, status", [
    ("/console/tickets?q=%00", 400), ("/console/tickets?agency=MUN%00TEH", 400),
    ("/console/tickets/48%0021930576", 400), ("/console/audit?user=sa%00ra", 400),
    ("/console/calls?q=%00", 400), ("/reports?period=1405%00", 400),
    ("/console/replay/media/99999999999999999999", 404), ("/console/replay/call/2147483648", 404),
    ("/console/replay/call/0", 404), ("/console/tickets?page=99999999999999999999", 200),
    ("/console/tickets?page=%D9%A3", 200), ("/console/calls?page=" + "9" * 5000, 200),
])
def test_what_postgresql_cannot_hold_gets_a_4xx_not_a_fault(client, login, path, status):
    login("sara")
    assert client.get(path).status_code == status


def test_a_nul_in_any_console_form_is_refused_before_the_view(client, session, login, post):
    ticket = referred(session, "MUN-TEH")
    login("sara")
    page = f"/console/tickets/{ticket.code}"
    answer = post(f"{page}/resolve", {"result": "دیده شد\x00"}, page=page)
    assert answer.status_code == 400


# --- search ---------------------------------------------------------------------------------

def test_an_inspector_cannot_unmask_a_caller_by_searching_numbers(client, session, login):
    ticket = referred(session, "MUN-TEH", caller=CALLER)
    login("reza")  # MUN-TEH: the ticket is theirs, its caller shown masked
    listed = client.get("/console/tickets").get_data(as_text=True)
    assert ticket.code in listed and CALLER[4:9] not in listed
    searched = client.get(f"/console/tickets?q={CALLER}").get_data(as_text=True)
    assert f'data-code="{ticket.code}"' not in searched and "ویژهٔ ناظران" in searched
    assert f'data-code="{ticket.code}"' in client.get(f"/console/tickets?q={ticket.code}").get_data(as_text=True)


def test_a_supervisor_still_searches_by_number(client, session, login):
    ticket = referred(session, "MUN-TEH", caller=CALLER)
    login("sara")
    assert f'data-code="{ticket.code}"' in client.get(f"/console/tickets?q={CALLER}").get_data(as_text=True)


# --- the session cookie ---------------------------------------------------------------------

def log_in(browser, **headers: str):
    """POST the log-in form as sara, with `headers` (X-Forwarded-Proto, say)."""
    token = csrf_token(browser)
    return browser.post("/console/login", data={"name": "sara", "password": PASSWORD, "csrf_token": token},
                        headers=headers)


@pytest.mark.parametrize("base_url, proxies, proto, secure", [
    ("", 1, "https", True),  # behind a trusted TLS proxy that says so
    ("", 0, "https", False),  # the header from a client nobody vouches for
    ("", 1, "http", False),
    ("https://foad.example.ir", 0, "", True),
])
def test_the_session_cookie_is_secure_whenever_the_console_is_reached_over_https(
        runtime, person, monkeypatch, base_url, proxies, proto, secure):
    person("sara")
    monkeypatch.setattr(runtime, "settings", replace(runtime.settings, public_base_url=base_url,
                                                     trusted_proxies=proxies))
    browser = create_app(runtime).test_client()
    # Over https, Flask-WTF also wants the form to come from this site's own https page.
    forwarded = {"X-Forwarded-Proto": proto, "Referer": f"{proto}://localhost/console/login"} if proto else {}
    answer = log_in(browser, **forwarded)
    assert answer.status_code == 302
    [cookie] = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert ("; Secure" in cookie) is secure


# --- in a real browser ---------------------------------------------------------------------

def test_the_console_works_under_its_policy_with_no_violation(app, session, person):
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        pytest.fail(MISSING, pytrace=False)
    ticket = referred(session, "MUN-TEH", caller=CALLER)
    person("sara")
    refused: list[str] = []
    with live_server(app) as site, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
        page.goto(f"{site}/console/login")
        page.fill("input[name=name]", "sara")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector(f"tr[data-code='{ticket.code}'] .countdown:not(:empty)")  # console.js runs
        for path in (f"/console/tickets/{ticket.code}", "/console/account/password", "/console/reports", "/reports"):
            page.goto(site + path)
        assert refused == []  # every page works without anything the policy forbids
        page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
                      " document.body.appendChild(s); }")
        assert page.evaluate("() => window.ran") is None and len(refused) == 1  # smuggled script never runs
        browser.close()
