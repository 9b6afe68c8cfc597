"""Console accounts under attack: an admin reaching tickets through an account it makes, a
copied cookie outliving its log-out, guessing passwords in parallel or at the password page,
telling names apart by how long a refusal takes."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

import models.users
from console import throttle
from models.accounts import AccountAction, may
from models.logins import Login
from models.users import User, UserRole
from tests.console.conftest import PASSWORD, csrf_token, reload

USERS = "/console/admin/users"
NEW_PASSWORD = "a brand new passphrase"

# The rule, written out for every pair of roles (not computed from the code it checks).
TARGET_ACTIONS = """
action        actor       supervisor inspector admin
reactivate    supervisor  yes        yes       yes
reactivate    inspector   no         no        no
reactivate    admin       no         no        yes
deactivate    supervisor  yes        yes       yes
deactivate    inspector   no         no        no
deactivate    admin       yes        yes       yes
set_password  supervisor  yes        yes       yes
set_password  inspector   no         no        no
set_password  admin       no         no        yes
end_logins    supervisor  yes        yes       yes
end_logins    inspector   no         no        no
end_logins    admin       yes        yes       yes
"""
"""May `actor` take `action` on an account of each role?"""
ROLE_GIVING = """
actor       target      supervisor inspector admin
supervisor  (new)       yes        yes       yes
inspector   (new)       no         no        no
admin       (new)       no         no        yes
supervisor  supervisor  yes        yes       yes
supervisor  inspector   yes        yes       yes
supervisor  admin       yes        yes       yes
inspector   supervisor  no         no        no
inspector   inspector   no         no        no
inspector   admin       no         no        no
admin       supervisor  no         no        no
admin       inspector   no         no        no
admin       admin       no         no        yes
"""
"""May `actor` make an account (new) or give `target`'s account each role?"""


def table(text: str) -> list[tuple[str, str, str, bool]]:
    """(first column, second column, role of the column, allowed) for every cell."""
    header, *rows = [line.split() for line in text.strip().splitlines()]
    return [(row[0], row[1], role, cell == "yes") for row in rows for role, cell in zip(header[2:], row[2:])]


def someone(role: str, user_id: int) -> User:
    return User(id=user_id, name=f"{role}{user_id}", role=UserRole(role))


@pytest.mark.parametrize("action, actor, target, allowed", table(TARGET_ACTIONS))
def test_who_may_act_on_whose_account(action, actor, target, allowed):
    assert may(someone(actor, 1), AccountAction(action), target=someone(target, 2)) is allowed


@pytest.mark.parametrize("actor, target, role, allowed", table(ROLE_GIVING))
def test_who_may_give_which_role(actor, target, role, allowed):
    if target == "(new)":
        assert may(someone(actor, 1), AccountAction.CREATE, role=role) is allowed
    else:
        assert may(someone(actor, 1), AccountAction.CHANGE_ROLE, target=someone(target, 2), role=role) is allowed


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_nobody_deactivates_or_re_roles_themselves(role):
    me = someone(role, 1)
    assert not may(me, AccountAction.DEACTIVATE, target=me)
    assert not may(me, AccountAction.CHANGE_ROLE, target=me, role=role)


def test_an_admin_cannot_make_an_inspector_of_a_ministry_to_read_its_tickets(client, session, login, post):
    login("ali")
    made = post(USERS, {"name": "mole", "role": "inspector", "agency": "MOI", "password": NEW_PASSWORD}, page=USERS)
    assert made.status_code == 403
    assert session.scalar(select(User).where(User.name == "mole")) is None
    session.commit()
    assert 'value="inspector"' not in client.get(USERS).get_data(as_text=True)


def test_an_admin_cannot_take_over_an_inspector_by_its_password(app, session, login, post, person):
    person("reza")
    login("ali")
    refused = post(f"{USERS}/password", {"user": "reza", "password": NEW_PASSWORD}, page=USERS)
    assert refused.status_code == 403 and reload(session, person("reza")).check_password(PASSWORD)


def test_an_admin_cannot_move_an_inspector_to_another_agency(session, login, post, person):
    person("reza")
    login("ali")
    moved = post(f"{USERS}/role", {"user": "reza", "role": "inspector", "agency": "MOI"}, page=USERS)
    assert moved.status_code == 403 and reload(session, person("reza")).agency.code == "MUN-TEH"


def test_an_admin_still_keeps_admins_passwords(app, session, login, post):
    models.users.add_user(session, "hadi", "admin", PASSWORD)
    login("ali")
    done = post(f"{USERS}/password", {"user": "hadi", "password": NEW_PASSWORD}, page=USERS)
    assert done.status_code == 302
    assert session.scalar(select(User).where(User.name == "hadi")).check_password(NEW_PASSWORD)
    session.commit()


# --- sessions ------------------------------------------------------------------------------

def elsewhere(app, client):
    """Another browser at another address holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.environ_base.update(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="curl/8.0")
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_copied_cookie_is_worthless_after_log_out(app, client, login, post):
    login("sara")
    thief = elsewhere(app, client)
    assert thief.get("/console/tickets").status_code == 200  # the copy works while the log-in lasts
    assert post("/console/logout", page="/console/tickets").status_code == 302
    assert thief.get("/console/tickets").status_code == 302


def test_a_password_change_ends_every_other_log_in_at_once(app, client, login, post):
    login("reza")
    other = app.test_client()
    login("reza", on=other)
    thief = elsewhere(app, other)  # a cookie stolen from a log-in at a shared computer, say
    page = "/console/account/password"
    changed = post(page, {"current": PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD}, page=page)
    assert changed.status_code == 302
    assert other.get("/console/tickets").status_code == 302 and thief.get("/console/tickets").status_code == 302
    assert client.get("/console/tickets").status_code == 200  # the one who changed it stays


def test_a_password_set_by_a_supervisor_ends_the_users_log_ins(app, client, login, post):
    reza = app.test_client()
    login("reza", on=reza)
    login("sara")
    post(f"{USERS}/password", {"user": "reza", "password": NEW_PASSWORD}, page=USERS)
    assert reza.get("/console/tickets").status_code == 302


def test_deactivation_ends_a_copied_cookie_too(app, client, session, login, post, person):
    reza = app.test_client()
    login("reza", on=reza)
    thief = elsewhere(app, reza)
    login("ali")
    post(f"{USERS}/{person('reza').id}/active", {"active": "0"}, page=USERS)
    assert thief.get("/console/tickets").status_code == 302
    assert session.scalar(select(Login).where(Login.user_id == person("reza").id)) is None
    session.commit()


def test_log_out_everywhere_ends_every_log_in_of_the_user(app, client, login, post):
    login("reza")
    other = app.test_client()
    login("reza", on=other)
    page = "/console/account/password"
    assert "ورودهای شما" in client.get(page).get_data(as_text=True)
    post("/console/account/logins/end", page=page)
    assert client.get("/console/tickets").status_code == 302 and other.get("/console/tickets").status_code == 302


@pytest.mark.parametrize("who, allowed", [("sara", True), ("ali", True), ("nima", False)])
def test_a_supervisor_logs_a_user_out_everywhere(app, client, login, post, person, who, allowed):
    reza = app.test_client()
    login("reza", on=reza)
    login(who)
    answer = post(f"{USERS}/{person('reza').id}/logins/end", page="/console/reports")
    assert answer.status_code == (302 if allowed else 403)
    assert reza.get("/console/tickets").status_code == (302 if allowed else 200)


def test_the_server_keeps_only_a_hash_of_each_log_in(client, session, login):
    login("sara")
    token = client.get_cookie("session").value
    [row] = session.scalars(select(Login)).all()
    session.commit()
    assert len(row.token_hash) == 64 and row.token_hash not in token


# --- guessing passwords --------------------------------------------------------------------

def test_guesses_sent_all_at_once_pass_the_limit_no_more(app, person):
    person("sara")
    browsers = [app.test_client() for _ in range(2 * throttle.MAX_PER_NAME)]
    tokens = [csrf_token(b) for b in browsers]
    start, answers = threading.Barrier(len(browsers)), []

    def guess(browser, token: str) -> None:
        start.wait()
        answers.append(browser.post("/console/login", data={"name": "sara", "password": "a wrong guess",
                                                            "csrf_token": token}).status_code)

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(browsers, tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [401] * throttle.MAX_PER_NAME + [429] * throttle.MAX_PER_NAME


def test_the_password_page_is_throttled_too(client, session, login, post, person):
    login("reza")
    page = "/console/account/password"
    for _ in range(throttle.MAX_PER_PASSWORD_PAGE):
        assert post(page, {"current": "a wrong guess", "new": NEW_PASSWORD, "again": NEW_PASSWORD},
                    page=page).status_code == 400
    held = post(page, {"current": PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD}, page=page)
    assert held.status_code == 429 and "دقیقهٔ دیگر دوباره بکوشید" in held.get_data(as_text=True)
    assert reload(session, person("reza")).check_password(PASSWORD)


def test_a_refusal_costs_one_hash_check_whether_the_name_exists_or_not(app, session, person, monkeypatch):
    checked: list[str] = []
    real = models.users.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        checked.append(pwhash.split("$")[0])  # the method and its cost, e.g. scrypt:32768:8:1
        return real(pwhash, password)

    monkeypatch.setattr(models.users, "check_password_hash", counting)
    known = person("sara")
    known.set_password(PASSWORD)  # made as every real account's is (the suite's people share a cheap one)
    person("reza").active = False
    session.commit()
    for name in ("sara", "nobody-here", "reza"):
        browser = app.test_client()
        browser.post("/console/login", data={"name": name, "password": "a wrong guess",
                                             "csrf_token": csrf_token(browser)})
    assert checked == [known.password_hash.split("$")[0]] * 3
