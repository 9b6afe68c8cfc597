"""Who sees what: every role rule of the console, through HTTP."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from models.agencies import Agency
from models.calls import Call
from models.media import Media, MediaStatus
from models.tickets import Via
from models.users import Playback
from tests.console.conftest import csrf_token, fetch, referred, reload, write_wav

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


@pytest.mark.parametrize("who, home, tickets", [("ali", "/console/admin/users", 403),
                                                 ("sara", "/console/tickets", 200)])
def test_admins_and_supervisors_keep_users_and_directory(client, login, who, home, tickets):
    login(who)
    for path in ("/console/admin/users", "/console/admin/directory"):
        assert client.get(path).status_code == 200, path
    assert client.get("/console/tickets").status_code == tickets  # an admin has no ticket list
    assert client.get("/console/").headers["Location"] == home


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


@pytest.fixture
def bank_files(session, settings):
    """A bank's ticket with a voice complaint and an MMS photo, files on disk."""
    ticket = referred(session, "BMI-TEH", via=Via.CALL, text=None, voice_path="voice/9.9.wav")
    write_wav(settings.recordings_dir / "voice/9.9.wav", seconds=1)
    (settings.media_dir / "b").mkdir(parents=True)
    (settings.media_dir / "b/photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photo")
    photo = Media(ticket=ticket, url="https://api.twilio.com/p", content_type="image/jpeg",
                  status=MediaStatus.STORED, path="b/photo.jpg", size=17)
    session.add(photo)
    session.commit()
    return ticket, photo


def test_an_inspector_cannot_hear_or_see_another_agencys_voice_complaint_or_photo(client, session, login, bank_files):
    ticket, photo = bank_files
    login("reza")  # MUN-TEH
    for path in (f"/console/replay/voice/{ticket.code}", f"/console/replay/media/{photo.id}"):
        response = client.get(path)
        assert response.status_code == 403 and b"\xff\xd8" not in response.data and b"RIFF" not in response.data
    assert session.scalars(select(Playback)).all() == []
    session.commit()
    login("bita", on=client)  # the bank's own inspector may
    assert fetch(client, f"/console/replay/voice/{ticket.code}").status_code == 200
    assert fetch(client, f"/console/replay/media/{photo.id}").status_code == 200


def test_inspectors_cannot_change_users_or_the_directory(client, session, login, post, person):
    sara = person("sara")
    login("reza")
    page = "/console/reports"
    assert post(f"/console/admin/users/{sara.id}/active", {"active": "0"}, page=page).status_code == 403
    assert post("/console/admin/users/role", {"user": "reza", "role": "supervisor"}, page=page).status_code == 403
    upload = {"csrf_token": csrf_token(client, page),
              "file": (io.BytesIO(b"code,level\nX,county\n"), "agencies.csv")}
    assert client.post("/console/admin/directory", data=upload,
                       content_type="multipart/form-data").status_code == 403
    assert reload(session, sara).active and reload(session, person("reza")).role == "inspector"
    assert session.scalar(select(Agency).where(Agency.code == "X")) is None
    session.commit()


def test_a_supervisor_acknowledges_resolves_and_marks_duplicates(client, session, login, post):
    first = referred(session, "BMI-TEH", caller="09121110003")
    again = referred(session, "BMI-TEH", caller="09121110003")
    login("sara")
    for ticket, action, form in ((first, "acknowledge", {}), (first, "resolve", {"result": "پاسخ داده شد"}),
                                 (again, "duplicate", {"original": first.code})):
        page = f"/console/tickets/{ticket.code}"
        response = post(f"{page}/{action}", form, page=page)
        assert response.status_code == 302 and response.headers["Location"].startswith(page)
    assert reload(session, first).status == "resolved" and first.acknowledged_at is not None
    assert [e.actor for e in first.events if e.kind in ("acknowledged", "resolved")] == ["user:sara"] * 2
    assert reload(session, again).status == "duplicate" and again.duplicate_of_id == first.id


def test_an_admin_downloads_the_cards_csv(client, login):
    login("ali")
    response = client.get("/console/reports.csv?period=1399")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data(as_text=True).lstrip("\ufeff").startswith("period,agency,")
