"""Logging in and out, CSRF, expiring sessions, and `foad users add`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from foad.settings import read_settings
from models.base import utcnow
from models.logins import Login
from models.users import User, add_user
from tests.console.conftest import PASSWORD, csrf_token, run_foad


def test_login_page_is_persian_and_right_to_left(client):
    html = client.get("/console/login").get_data(as_text=True)
    assert 'dir="rtl"' in html and 'lang="fa"' in html and "ورود" in html


def test_right_password_logs_in_and_lands_on_the_ticket_list(client, login):
    response = login("sara")
    assert response.headers["Location"].endswith("/console/tickets")
    assert client.get("/console/tickets").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, person):
    person("sara")
    response = client.post("/console/login", data={
        "name": "sara", "password": "not the password", "csrf_token": csrf_token(client)})
    assert response.status_code == 401
    assert "گذرواژه درست نیست" in response.get_data(as_text=True)
    assert client.get("/console/tickets").status_code == 302


def test_password_is_stored_hashed(session):
    user = add_user(session, "sara", "supervisor", PASSWORD)
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("scrypt:32768:")
    assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "!")


def test_login_without_csrf_token_is_refused(client, person):
    person("sara")
    response = client.post("/console/login", data={"name": "sara", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/console/tickets").status_code == 302


def test_logout_needs_csrf_and_ends_the_session(client, login, post):
    login("sara")
    assert client.post("/console/logout").status_code == 400
    assert post("/console/logout", page="/console/tickets").status_code == 302
    assert client.get("/console/tickets").status_code == 302


def test_next_goes_only_to_a_path_on_this_site(client, person):
    person("sara")
    data = {"name": "sara", "password": PASSWORD, "csrf_token": csrf_token(client)}
    outside = client.post("/console/login?next=https://evil.example/x", data=data)
    assert outside.headers["Location"].endswith("/console/tickets")
    inside = client.post("/console/login?next=/console/reports", data=data)
    assert inside.headers["Location"] == "/console/reports"


def test_session_expires_after_the_idle_time(app, client, login, cookie_clock):
    app.permanent_session_lifetime = timedelta(seconds=1)
    login("sara")
    assert client.get("/console/tickets").status_code == 200
    cookie_clock.advance(2.1)
    response = client.get("/console/tickets")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_deactivated_user_is_logged_out_at_the_next_request(client, session, login):
    user = login("sara") and session.scalar(select(User).where(User.name == "sara"))
    user.active = False
    session.commit()
    assert client.get("/console/tickets").status_code == 302


def test_inactive_user_cannot_log_in(client, session, person):
    person("sara").active = False
    session.commit()
    response = client.post("/console/login", data={
        "name": "sara", "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 401


def test_users_add_with_password_flag(settings, session):
    result = run_foad(settings, "users", "add", "maryam", "--role", "inspector", "--agency", "MUN-TEH",
                  "--password", "a long enough one")
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.name == "maryam"))
    assert user.role == "inspector" and user.agency.code == "MUN-TEH"
    assert user.check_password("a long enough one")


def test_users_add_prompts_for_the_password(settings, session):
    result = run_foad(settings, "users", "add", "hamid", "--role", "supervisor",
                  input="prompted password\nprompted password\n")
    assert result.exit_code == 0, result.output
    assert "hamid" in run_foad(settings, "users", "list").output
    assert session.scalar(select(User).where(User.name == "hamid")).check_password("prompted password")


def test_users_add_refuses_an_inspector_without_agency_and_short_passwords(settings, session):
    no_agency = run_foad(settings, "users", "add", "x", "--role", "inspector", "--password", "long enough pw")
    short = run_foad(settings, "users", "add", "y", "--role", "admin", "--password", "short")
    assert no_agency.exit_code == 1 and "agency" in no_agency.output
    assert short.exit_code == 1 and "at least" in short.output
    assert session.scalars(select(User)).all() == []


BACKGROUND = {"X-Foad-Background": "1"}
"""What console.js sends with the list's own refresh."""


def test_the_session_settings_come_from_the_environment(tmp_path):
    settings = read_settings({"FOAD_DATA_DIR": str(tmp_path), "FOAD_CONSOLE_SESSION_MAX_HOURS": "8",
                                  "FOAD_CONSOLE_REFRESH_SECONDS": "5"})
    assert settings.console_session_max == timedelta(hours=8)
    assert settings.console_refresh == timedelta(seconds=5)
    defaults = read_settings({"FOAD_DATA_DIR": str(tmp_path)})
    assert (defaults.console_session_max, defaults.console_refresh) == (timedelta(hours=12), timedelta(seconds=20))


def test_a_background_refresh_does_not_renew_the_session_cookie(client, login):
    login("sara")
    quiet = client.get("/console/tickets?rows=1", headers=BACKGROUND)
    assert quiet.status_code == 200 and "Set-Cookie" not in quiet.headers
    clicked = client.get("/console/tickets")
    assert clicked.status_code == 200 and "session=" in clicked.headers["Set-Cookie"]


def test_an_open_list_times_out_however_often_it_refreshes(app, client, login, cookie_clock):
    app.permanent_session_lifetime = timedelta(seconds=2)
    login("sara")
    answers = []
    for _ in range(16):  # four seconds of refreshes; the cookie's signing time has whole seconds
        answers.append(client.get("/console/tickets?rows=1", headers=BACKGROUND).status_code)
        cookie_clock.advance(0.25)
    assert answers[0] == 200 and answers[-1] == 401
    assert client.get("/console/tickets").status_code == 302


def test_clicks_keep_the_session_alive_past_the_idle_time(app, client, login, cookie_clock):
    app.permanent_session_lifetime = timedelta(seconds=2)
    login("sara")
    for _ in range(6):  # three seconds of a person using the console
        assert client.get("/console/tickets").status_code == 200
        cookie_clock.advance(0.5)


def test_a_logged_out_refresh_gets_401_and_no_log_in_page(client):
    response = client.get("/console/tickets?rows=1", headers=BACKGROUND)
    assert response.status_code == 401 and "Location" not in response.headers
    body = response.get_data(as_text=True)
    assert "دوباره وارد شوید" in body and "<form" not in body


def test_a_log_in_ends_after_the_longest_session_however_busy(client, session, login):
    login("sara")
    began = session.scalar(select(Login))
    began.created_at = utcnow() - timedelta(hours=11)
    session.commit()
    assert client.get("/console/tickets").status_code == 200
    began.created_at = utcnow() - timedelta(hours=12, seconds=5)
    session.commit()
    response = client.get("/console/tickets")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]
    assert client.get("/console/tickets").status_code == 302  # logged out, not only turned away
    login("sara")
    assert client.get("/console/tickets").status_code == 200
