"""Who sees what: every role rule of the console, through HTTP."""

from __future__ import annotations

import pytest

from models.calls import Call
from tests.console.conftest import referred, reload, write_wav

CONSOLE_PAGES = ["/console/tickets", "/console/audit", "/console/reports",
                 "/console/admin/users", "/console/admin/directory"]


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_anonymous_users_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_the_public_report_page_needs_no_log_in(client):
    assert client.get("/reports").status_code == 200


@pytest.mark.parametrize("path", ["/console/tickets", "/console/audit"])
def test_admins_get_a_real_403_page_for_tickets_and_audit(client, login, path):
    login("ali")
    response = client.get(path)
    assert response.status_code == 403
    assert "اجازهٔ دیدن این صفحه" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/console/admin/users", "/console/admin/directory"])
def test_admins_and_supervisors_keep_users_and_directory(client, login, path):
    login("ali")
    assert client.get(path).status_code == 200
    client.get("/console/tickets")  # an admin has no ticket list; the users page is home
    assert client.get("/console/").headers["Location"].endswith("/console/admin/users")


@pytest.mark.parametrize("path", ["/console/audit", "/console/admin/users", "/console/admin/directory"])
def test_inspectors_get_403_for_audit_users_and_directory(client, login, path):
    login("reza")
    assert client.get(path).status_code == 403


def test_supervisor_sees_every_ticket(client, session, login):
    mun, bank = referred(session, "MUN-TEH"), referred(session, "BMI-TEH", caller="09121110000")
    login("sara")
    html = client.get("/console/tickets").get_data(as_text=True)
    assert f'data-code="{mun.code}"' in html and f'data-code="{bank.code}"' in html


def test_inspector_sees_only_their_agency_and_those_below(client, session, login):
    teh = referred(session, "MUN-TEH")
    ham = referred(session, "MUN-HAM", caller="09121110001")
    bank = referred(session, "BMI-TEH", caller="09121110002")
    login("nima")  # IMVO: above both provincial municipal directorates
    html = client.get("/console/tickets").get_data(as_text=True)
    assert f'data-code="{teh.code}"' in html and f'data-code="{ham.code}"' in html
    assert f'data-code="{bank.code}"' not in html
    assert client.get(f"/console/tickets/{bank.code}").status_code == 403
    assert client.get(f"/console/tickets/{teh.code}").status_code == 200


def test_inspector_below_does_not_see_the_agency_above(client, session, login):
    national = referred(session, "IMVO")
    login("reza")  # MUN-TEH, below IMVO
    assert client.get(f"/console/tickets/{national.code}").status_code == 403
    assert f'data-code="{national.code}"' not in client.get("/console/tickets").get_data(as_text=True)


def test_caller_number_is_masked_for_inspectors_and_shown_to_supervisors(app, session, login):
    ticket = referred(session, "MUN-TEH", caller="09121234567")
    for name, shown in (("reza", False), ("sara", True)):
        client = app.test_client()
        login(name, on=client)
        for path in ("/console/tickets", f"/console/tickets/{ticket.code}"):
            html = client.get(path).get_data(as_text=True)
            assert ("+۹۸۹۱۲۱۲۳۴۵۶۷" in html) is shown, (name, path)
            assert ("+۹۸۹۱۲*****۶۷" in html) is not shown, (name, path)


def test_inspector_cannot_replay_another_agencys_recording(client, session, settings, login):
    ticket = referred(session, "BMI-TEH")
    write_wav(settings.recordings_dir / "call-1.wav")
    session.add(Call(uniqueid="1.1", line="128", ticket=ticket, recording_path="call-1.wav"))
    session.commit()
    login("reza")
    assert client.get("/console/replay/call/1").status_code == 403


@pytest.mark.parametrize("action", ["reassign", "nuisance"])
def test_inspectors_cannot_reassign_or_block(client, session, login, post, action):
    ticket = referred(session, "MUN-TEH")
    login("reza")
    page = f"/console/tickets/{ticket.code}"
    assert post(f"{page}/{action}", {"agency": "MUN-HAM"}, page=page).status_code == 403
    html = client.get(page).get_data(as_text=True)
    assert f"/{action}" not in html and "/acknowledge" in html


def test_inspector_cannot_act_on_a_ticket_they_cannot_see(client, session, login, post):
    bank = referred(session, "BMI-TEH")
    login("reza")
    response = post(f"/console/tickets/{bank.code}/acknowledge", page="/console/tickets")
    assert response.status_code == 403
    reload(session, bank)
    assert bank.status == "referred"


def test_everyone_logged_in_may_read_report_cards(client, login):
    login("reza")
    assert client.get("/console/reports").status_code == 200


def test_admins_cannot_open_act_on_or_replay_tickets(client, session, settings, login, post):
    ticket = referred(session, "MUN-TEH")
    write_wav(settings.recordings_dir / "call-2.wav")
    session.add(Call(uniqueid="2.2", line="128", ticket=ticket, recording_path="call-2.wav"))
    session.commit()
    login("ali")
    assert client.get(f"/console/tickets/{ticket.code}").status_code == 403
    assert post(f"/console/tickets/{ticket.code}/acknowledge", page="/console/admin/users").status_code == 403
    assert client.get("/console/replay/call/1").status_code == 403
    assert reload(session, ticket).status == "referred"
