"""Users and the directory from the console: admins and supervisors, through the real forms."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from models.agencies import Agency
from models.users import User, add_user
from tests.console.conftest import csrf_token, reload

NEW_AGENCY = ("code,level,sector,parent,province,county,name_fa,name_en,joined_on\n"
              "MUN-TEH-SHM,county,municipality,MUN-TEH,tehran,Shemiranat,شهرداری شمیرانات,"
              "Shemiranat municipality,1405-07-01\n")


@pytest.mark.parametrize("who, role, agency", [("sara", "inspector", "MUN-HAM"), ("ali", "admin", "")])
def test_supervisors_add_inspectors_and_admins_add_admins(client, session, login, post, who, role, agency):
    login(who)
    response = post("/console/admin/users", {"name": "zahra", "role": role, "agency": agency,
                                             "password": "a good long one", "full_name": "زهرا"},
                    page="/console/admin/users")
    assert response.status_code == 302
    user = session.scalar(select(User).where(User.name == "zahra"))
    session.commit()
    assert user.role == role and (user.agency.code if user.agency else "") == agency
    assert user.check_password("a good long one")
    assert "zahra" in client.get("/console/admin/users").get_data(as_text=True)


def test_a_bad_user_is_refused_with_the_reason(client, session, login, post):
    login("sara")
    post("/console/admin/users", {"name": "x", "role": "inspector", "password": "a good long one"},
         page="/console/admin/users")
    assert "کاربر افزوده نشد" in client.get("/console/admin/users").get_data(as_text=True)
    assert session.scalar(select(User).where(User.name == "x")) is None
    session.commit()


def test_deactivating_a_user_logs_them_out(app, client, session, login, post, person):
    reza = app.test_client()
    login("reza", on=reza)
    assert reza.get("/console/tickets").status_code == 200
    login("ali")
    post(f"/console/admin/users/{person('reza').id}/active", {"active": "0"}, page="/console/admin/users")
    assert reza.get("/console/tickets").status_code == 302


def test_nobody_deactivates_themselves(client, session, login, post, person):
    login("ali")
    post(f"/console/admin/users/{person('ali').id}/active", {"active": "0"}, page="/console/admin/users")
    assert "حساب خودتان را نمی‌توانید غیرفعال کنید" in client.get("/console/admin/users").get_data(as_text=True)
    assert reload(session, person("ali")).active


def test_inspectors_cannot_add_users(client, session, login, post):
    login("reza")
    response = post("/console/admin/users", {"name": "evil", "role": "supervisor", "password": "a good long one"},
                    page="/console/reports")
    assert response.status_code == 403
    assert session.scalar(select(User).where(User.name == "evil")) is None
    session.commit()


def test_directory_upload_adds_agencies(client, session, login):
    login("ali")
    data = {"csrf_token": csrf_token(client, "/console/admin/directory"),
            "file": (io.BytesIO(NEW_AGENCY.encode()), "agencies.csv")}
    assert client.post("/console/admin/directory", data=data, content_type="multipart/form-data").status_code == 302
    added = session.scalar(select(Agency).where(Agency.code == "MUN-TEH-SHM"))
    parent = added.parent.code
    session.commit()
    assert parent == "MUN-TEH"
    assert "MUN-TEH-SHM" in client.get("/console/admin/directory").get_data(as_text=True)


def test_a_bad_directory_file_imports_nothing_and_says_why(client, session, login):
    login("sara")
    bad = NEW_AGENCY.replace("municipality,MUN-TEH", "nonsense,MUN-TEH")
    data = {"csrf_token": csrf_token(client, "/console/admin/directory"),
            "file": (io.BytesIO(bad.encode()), "agencies.csv")}
    client.post("/console/admin/directory", data=data, content_type="multipart/form-data")
    assert "unknown sector" in client.get("/console/admin/directory").get_data(as_text=True)
    assert session.scalar(select(Agency).where(Agency.code == "MUN-TEH-SHM")) is None
    session.commit()


def test_the_directory_reads_top_down_with_levels_in_persian(client, login):
    login("ali")
    html = client.get("/console/admin/directory").get_data(as_text=True)
    rows = re.findall(r'<tr><td dir="ltr">([A-Z-]+)</td><td>[^<]*</td><td>([^<]*)</td>', html)
    levels = [level for _code, level in rows]
    assert levels[0] == "ستاد وزارتخانه" and levels[-1] == "ادارهٔ شهرستان"
    order = ["ستاد وزارتخانه", "سازمان وابسته", "ادارهٔ کل استان", "ادارهٔ شهرستان"]
    assert [order.index(level) for level in levels] == sorted(order.index(level) for level in levels)
    assert ">county<" not in html and ">ministry<" not in html


def test_only_a_supervisor_creates_a_supervisor(client, session, login, post):
    login("ali")
    form = {"name": "boss", "role": "supervisor", "password": "a good long one"}
    assert post("/console/admin/users", form, page="/console/admin/users").status_code == 403
    assert session.scalar(select(User).where(User.name == "boss")) is None
    session.commit()
    assert 'value="supervisor"' not in client.get("/console/admin/users").get_data(as_text=True)
    admin_made = post("/console/admin/users", {**form, "name": "helper", "role": "admin"},
                      page="/console/admin/users")
    assert admin_made.status_code == 302  # other roles are an admin's to give


def test_a_supervisor_creates_a_supervisor(client, session, login, post):
    login("sara")
    post("/console/admin/users", {"name": "boss", "role": "supervisor", "password": "a good long one"},
         page="/console/admin/users")
    assert session.scalar(select(User.role).where(User.name == "boss")) == "supervisor"
    session.commit()


def test_only_a_supervisor_reactivates_a_supervisor(app, client, session, login, post, person):
    hamid = add_user(session, "hamid", "supervisor", "a good long one")
    hamid.active = False
    session.commit()
    login("ali")
    page = "/console/admin/users"
    assert f'/console/admin/users/{hamid.id}/active' not in client.get(page).get_data(as_text=True)
    assert post(f"/console/admin/users/{hamid.id}/active", {"active": "1"}, page=page).status_code == 403
    assert not reload(session, hamid).active
    # Deactivating takes power away: an admin may (when a supervisor leaves, say).
    sara = person("sara")
    assert post(f"/console/admin/users/{sara.id}/active", {"active": "0"}, page=page).status_code == 302
    assert not reload(session, sara).active
    sara.active = True
    session.commit()
    supervisor = app.test_client()
    login("sara", on=supervisor)
    token = csrf_token(supervisor, page)
    supervisor.post(f"/console/admin/users/{hamid.id}/active", data={"active": "1", "csrf_token": token})
    assert reload(session, hamid).active


def test_only_a_supervisor_promotes_to_supervisor(app, client, session, login, post, person):
    person("reza")
    login("ali")
    page = "/console/admin/users"
    refused = post("/console/admin/users/role", {"user": "reza", "role": "supervisor"}, page=page)
    assert refused.status_code == 403 and reload(session, person("reza")).role == "inspector"
    supervisor = app.test_client()
    login("sara", on=supervisor)
    supervisor.post("/console/admin/users/role", data={"user": "reza", "role": "supervisor",
                                                       "csrf_token": csrf_token(supervisor, page)})
    reza = reload(session, person("reza"))
    assert reza.role == "supervisor" and reza.agency is None


def test_a_role_change_that_breaks_a_rule_says_why(client, session, login, post, person):
    person("ali")
    login("sara")
    page = "/console/admin/users"
    post("/console/admin/users/role", {"user": "ali", "role": "inspector"}, page=page)
    assert "نقش تغییر نکرد" in client.get(page).get_data(as_text=True)  # an inspector needs an agency
    post("/console/admin/users/role", {"user": "sara", "role": "inspector", "agency": "MUN-TEH"}, page=page)
    assert "own role" in client.get(page).get_data(as_text=True)
    assert reload(session, person("sara")).role == "supervisor" and reload(session, person("ali")).role == "admin"
