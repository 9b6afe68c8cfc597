"""Logging in and out, CSRF, expiring sessions, and `foad users add`."""

from __future__ import annotations

import time
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import select

from foad.cli import main
from models.users import User
from tests.console.conftest import PASSWORD, csrf_token


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


def test_password_is_stored_hashed(session, person):
    user = person("sara")
    assert PASSWORD not in user.password_hash and user.check_password(PASSWORD)


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


def test_session_expires_after_the_idle_time(app, client, login):
    app.permanent_session_lifetime = timedelta(seconds=1)
    login("sara")
    assert client.get("/console/tickets").status_code == 200
    time.sleep(2.1)
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


def _cli(settings, *args: str, input: str | None = None):
    env = {"DATABASE_URL": settings.database_url, "FOAD_DATA_DIR": str(settings.data_dir),
           "FOAD_SECRET_KEY": "x"}
    return CliRunner().invoke(main, list(args), env=env, input=input)


def test_users_add_with_password_flag(settings, session):
    result = _cli(settings, "users", "add", "maryam", "--role", "inspector", "--agency", "MUN-TEH",
                  "--password", "a long enough one")
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.name == "maryam"))
    assert user.role == "inspector" and user.agency.code == "MUN-TEH"
    assert user.check_password("a long enough one")


def test_users_add_prompts_for_the_password(settings, session):
    result = _cli(settings, "users", "add", "hamid", "--role", "supervisor",
                  input="prompted password\nprompted password\n")
    assert result.exit_code == 0, result.output
    assert "hamid" in _cli(settings, "users", "list").output
    assert session.scalar(select(User).where(User.name == "hamid")).check_password("prompted password")


def test_users_add_refuses_an_inspector_without_agency_and_short_passwords(settings, session):
    no_agency = _cli(settings, "users", "add", "x", "--role", "inspector", "--password", "long enough pw")
    short = _cli(settings, "users", "add", "y", "--role", "admin", "--password", "short")
    assert no_agency.exit_code == 1 and "agency" in no_agency.output
    assert short.exit_code == 1 and "at least" in short.output
    assert session.scalars(select(User)).all() == []
