"""Accounts: a user's own password change, `foad users passwd` and `deactivate`, and log-in
throttling (per name and per address, counted in the real Redis)."""

from __future__ import annotations

from sqlalchemy import select

from console import throttle
from models.users import User
from tests.console.conftest import PASSWORD, csrf_token, reload, run_foad

NEW_PASSWORD = "a brand new passphrase"


def try_login(client, name: str, password: str, address: str = "127.0.0.1"):
    """POST the log-in form from `address`, with the form's CSRF token."""
    token = csrf_token(client)
    return client.post("/console/login", data={"name": name, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_a_user_changes_their_own_password(app, client, login, post):
    login("reza")
    page = "/console/account/password"
    assert "تغییر گذرواژه" in client.get(page).get_data(as_text=True)
    done = post(page, {"current": PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD}, page=page)
    assert done.status_code == 302 and "گذرواژه تغییر کرد" in client.get("/console/tickets").get_data(as_text=True)
    fresh = app.test_client()
    assert try_login(fresh, "reza", PASSWORD).status_code == 401
    assert try_login(fresh, "reza", NEW_PASSWORD).status_code == 302


def test_a_password_change_that_breaks_a_rule_says_why(client, session, login, post, person):
    login("reza")
    page = "/console/account/password"
    cases = [({"current": "not it at all", "new": NEW_PASSWORD, "again": NEW_PASSWORD}, "گذرواژهٔ کنونی درست نیست"),
             ({"current": PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD + "!"}, "یکی نیستند"),
             ({"current": PASSWORD, "new": "short", "again": "short"}, "دست‌کم ۱۰ نویسه")]
    for form, says in cases:
        response = post(page, form, page=page)
        assert response.status_code == 400 and says in response.get_data(as_text=True)
    assert reload(session, person("reza")).check_password(PASSWORD)


def test_the_password_form_needs_a_log_in(client):
    response = client.get("/console/account/password")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_five_wrong_passwords_make_the_name_wait_without_checking_the_right_one(app, client, person):
    person("sara")
    for _ in range(throttle.MAX_PER_NAME):
        assert try_login(client, "sara", "wrong guess").status_code == 401
    refused = try_login(client, "Sara ", PASSWORD)  # the right one now: not even checked
    assert refused.status_code == 429 and "دقیقهٔ دیگر دوباره بکوشید" in refused.get_data(as_text=True)
    assert "۱۵ دقیقهٔ" in refused.get_data(as_text=True)
    assert client.get("/console/tickets").status_code == 302  # not logged in
    person("reza")
    assert try_login(app.test_client(), "reza", PASSWORD).status_code == 302  # others are not held up


def test_the_wait_ends_with_the_window(app, runtime, client, person):
    person("sara")
    for _ in range(throttle.MAX_PER_NAME):
        try_login(client, "sara", "wrong guess")
    key = f"{throttle.PREFIX}:name:sara"
    assert 0 < runtime.redis.ttl(key) <= throttle.WINDOW.total_seconds()
    runtime.redis.delete(key)  # what the key's expiry does after 15 minutes
    assert try_login(client, "sara", PASSWORD).status_code == 302


def test_a_success_forgets_the_names_failures(client, person):
    person("sara")
    for _ in range(throttle.MAX_PER_NAME - 1):
        try_login(client, "sara", "wrong guess")
    assert try_login(client, "sara", PASSWORD).status_code == 302
    for _ in range(throttle.MAX_PER_NAME - 1):
        assert try_login(client, "sara", "wrong guess").status_code == 401
    assert try_login(client, "sara", PASSWORD).status_code == 302


def test_one_address_guessing_many_names_is_made_to_wait(app, person):
    person("sara")
    guesser = app.test_client()
    for n in range(throttle.MAX_PER_ADDRESS):
        assert try_login(guesser, f"user{n}", "wrong guess", address="10.0.0.9").status_code == 401
    assert try_login(guesser, "sara", PASSWORD, address="10.0.0.9").status_code == 429
    assert try_login(app.test_client(), "sara", PASSWORD, address="10.0.0.10").status_code == 302


def test_foad_users_passwd_sets_a_new_password(app, settings, session, person):
    person("reza")
    flagged = run_foad(settings, "users", "passwd", "reza", "--password", NEW_PASSWORD)
    assert flagged.exit_code == 0 and "password of reza changed" in flagged.output
    assert try_login(app.test_client(), "reza", NEW_PASSWORD).status_code == 302
    prompted = run_foad(settings, "users", "passwd", "reza", input="typed at the prompt\ntyped at the prompt\n")
    assert prompted.exit_code == 0, prompted.output
    assert reload(session, person("reza")).check_password("typed at the prompt")


def test_foad_users_passwd_refuses_unknown_users_and_short_passwords(settings, session, person):
    person("reza")
    unknown = run_foad(settings, "users", "passwd", "nobody", "--password", NEW_PASSWORD)
    short = run_foad(settings, "users", "passwd", "reza", "--password", "short")
    assert unknown.exit_code == 1 and "no user 'nobody'" in unknown.output
    assert short.exit_code == 1 and "at least 10" in short.output
    assert reload(session, person("reza")).check_password(PASSWORD)


def test_foad_users_deactivate_logs_the_user_out(app, client, settings, session, login):
    login("reza")
    assert client.get("/console/tickets").status_code == 200
    result = run_foad(settings, "users", "deactivate", "reza")
    assert result.exit_code == 0 and "reza deactivated" in result.output
    assert client.get("/console/tickets").status_code == 302
    assert try_login(app.test_client(), "reza", PASSWORD).status_code == 401
    assert session.scalar(select(User.active).where(User.name == "reza")) is False
    session.commit()
    assert run_foad(settings, "users", "deactivate", "nobody").exit_code == 1
