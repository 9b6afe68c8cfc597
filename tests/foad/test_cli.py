"""The `foad` command as operators and their scripts use it."""

import json
import subprocess
import sys

from click.testing import CliRunner

from foad.cli import main
from models.calls import Call
from models.tickets import Via
from tests.builders import make_ticket


def invoke(settings, *args):
    env = {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url or "",
           "FOAD_DATA_DIR": str(settings.data_dir)}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_db_upgrade_creates_a_fresh_sqlite_database(tmp_path):
    env = {"FOAD_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "foad", "db", "upgrade"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "foad.sqlite3").stat().st_size > 0
    again = subprocess.run([sys.executable, "-m", "foad", "agencies", "import", "--sample"], env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "agencies: 44 added" in again.stdout


def test_agencies_import_reports_problems_and_fails(settings, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,level,sector,name_fa,name_en\nX,village,tax,a,b\n", encoding="utf-8")
    result = invoke(settings, "agencies", "import", str(bad))
    assert result.exit_code == 1
    assert "level must be one of" in result.output and "nothing was imported" in result.output


def test_agencies_import_needs_a_file_or_sample(settings):
    assert invoke(settings, "agencies", "import").exit_code == 2


def test_tickets_list_json_and_status_filter(settings, session):
    first = make_ticket(session)
    second = make_ticket(session, via=Via.CALL, caller="02188776655", voice_path="r/1.wav", text=None)
    listed = json.loads(invoke(settings, "tickets", "list", "--json").output)
    assert [t["code"] for t in listed] == [second.code, first.code]
    assert listed[0]["province_code"] == "tehran" and listed[0]["via"] == "call"
    assert json.loads(invoke(settings, "tickets", "list", "--status", "closed", "--json").output) == []


def test_tickets_list_is_readable(settings, session):
    ticket = make_ticket(session)
    output = invoke(settings, "tickets", "list").output
    assert ticket.code in output and "registered" in output and "+989121234567" in output


def test_tickets_show_json_has_events_calls_messages_and_media(settings, session):
    ticket = make_ticket(session, media=[("https://example.test/m/1", "image/png")])
    doc = json.loads(invoke(settings, "tickets", "show", ticket.code, "--json").output)
    assert doc["code"] == ticket.code and doc["text"] == ticket.text
    assert [e["kind"] for e in doc["events"]] == ["registered"]
    assert doc["media"][0]["content_type"] == "image/png"
    assert doc["calls"] == [] and doc["messages"] == [] and doc["survey_score"] is None


def test_tickets_show_gives_each_calls_two_recordings(settings, session):
    ticket = make_ticket(session, via=Via.CALL, caller="02188776655", text=None,
                         voice_path="voice/1795440000.77-1.wav")
    session.add(Call(uniqueid="1795440000.77", line="128", ticket=ticket, progress="submitted",
                     recording_path="calls/1795440000.77.wav", voice_path="voice/1795440000.77-1.wav"))
    session.commit()
    doc = json.loads(invoke(settings, "tickets", "show", ticket.code, "--json").output)
    [call] = doc["calls"]
    assert (call["recording_path"], call["voice_path"]) == ("calls/1795440000.77.wav", "voice/1795440000.77-1.wav")
    shown = invoke(settings, "tickets", "show", ticket.code).output
    assert "recording_path=calls/1795440000.77.wav  voice_path=voice/1795440000.77-1.wav" in shown


def test_tickets_show_accepts_the_code_as_people_write_it(settings, session):
    ticket = make_ticket(session)
    from models.tracking import for_reading

    result = invoke(settings, "tickets", "show", for_reading(ticket.code))
    assert result.exit_code == 0 and f"code: {ticket.code}" in result.output


def test_tickets_show_unknown_or_invalid_code_fails_clearly(settings):
    result = invoke(settings, "tickets", "show", "1234567890")
    assert result.exit_code == 1 and "check digit" in result.output


def test_help_names_every_service():
    output = CliRunner().invoke(main, ["--help"]).output
    for command in ("db", "agencies", "tickets", "serve", "web", "worker"):
        assert command in output
