"""The `foad` command as operators and their scripts use it."""

import json
import subprocess
import sys
from datetime import datetime, timedelta
from importlib.metadata import version

from click.testing import CliRunner
from sqlalchemy import select

from foad.cli import main
from models import lifecycle, tracking
from models.base import utcnow
from models.calls import Call
from models.intake import Complaint, open_ticket
from models.persian import jalali
from models.tickets import Ticket, TicketStatus, Via
from tests.builders import agency, make_ticket


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
    header, row = invoke(settings, "tickets", "list").output.splitlines()
    assert header.split() == ["code", "via", "status", "agency", "caller", "registered", "(Tehran)", "due"]
    assert row.startswith(ticket.code) and "registered" in row and "+989121234567" in row
    assert jalali(ticket.registered_at, digits="latin") in row  # Jalali, in Tehran time


def referred_to(session, code: str, due: timedelta) -> str:
    """A ticket referred to agency `code`, its deadline `due` from now; its tracking code."""
    ticket = make_ticket(session)
    ticket.agency_id = agency(session, code).id
    ticket.due_at = utcnow() + due
    lifecycle.move(ticket, TicketStatus.REFERRED)
    session.commit()
    return ticket.code


def listed(settings, *args: str) -> list[str]:
    return [t["code"] for t in json.loads(invoke(settings, "tickets", "list", "--json", *args).output)]


def test_tickets_list_by_agency_takes_the_agencies_below_it_too(settings, session):
    county = referred_to(session, "MUN-TEH-TEHRAN", timedelta(hours=3))
    hamadan = referred_to(session, "MUN-HAM", timedelta(hours=3))
    bank = referred_to(session, "BMI-TEH", timedelta(hours=3))
    assert listed(settings, "--agency", "MUN-TEH") == [county]
    assert listed(settings, "--agency", "IMVO") == [hamadan, county]
    assert listed(settings, "--agency", "BMI-TEH") == [bank]
    refused = invoke(settings, "tickets", "list", "--agency", "NOPE")
    assert refused.exit_code == 2 and "foad agencies list" in refused.output


def test_tickets_list_overdue_and_every_open_status(settings, session):
    late = referred_to(session, "MUN-TEH", -timedelta(minutes=5))
    on_time = referred_to(session, "MUN-TEH", timedelta(hours=2))
    fresh = make_ticket(session).code  # registered, not routed yet: no deadline
    done = referred_to(session, "MUN-TEH", -timedelta(hours=1))
    closed = session.scalars(select(Ticket).where(Ticket.code == done)).one()
    lifecycle.move(closed, TicketStatus.REJECTED)
    session.commit()
    assert listed(settings, "--overdue") == [late]
    assert listed(settings, "--status", "open") == [fresh, on_time, late]
    assert listed(settings, "--status", "rejected") == [done]


def test_agencies_list_gives_the_codes_with_filters(settings):
    output = invoke(settings, "agencies", "list", "--province", "tehran", "--sector", "municipality").output
    header, *rows = output.splitlines()
    assert header.split() == ["code", "level", "sector", "province", "parent", "name"]
    assert [row.split()[0] for row in rows] == ["MUN-TEH", "MUN-TEH-SHAHRIAR", "MUN-TEH-TEHRAN"]
    national = json.loads(invoke(settings, "agencies", "list", "--json").output)[0]
    assert national["province"] is None and set(national) >= {"code", "level", "sector", "parent", "name_fa"}
    refused = invoke(settings, "agencies", "list", "--sector", "police")
    assert refused.exit_code == 2 and "banks" in refused.output


def test_version_comes_from_the_package():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output == f"foad {version('foad')}\n"


def test_call_help_explains_the_keys():
    output = CliRunner().invoke(main, ["call", "--help"]).output
    assert "TOKEN@SECONDS" in output and '--keys "1 3 2 # 1"' in output and "ivr.peer" not in output


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


def test_tickets_show_gives_people_jalali_tehran_time_and_scripts_iso(settings, session):
    ticket = make_ticket(session)
    shown = invoke(settings, "tickets", "show", ticket.code).output.splitlines()
    assert f"registered_at: {jalali(ticket.registered_at, digits='latin')}" in shown
    assert any(line.startswith(f"  at={jalali(ticket.registered_at, digits='latin')}  kind=registered")
               for line in shown)
    assert "resolved_at: -" in shown and not any(line.endswith(": None") for line in shown)
    doc = json.loads(invoke(settings, "tickets", "show", ticket.code, "--json").output)
    assert datetime.fromisoformat(doc["registered_at"]) == ticket.registered_at


def test_tickets_show_accepts_the_code_as_people_write_it(settings, session):
    ticket = make_ticket(session)
    from models.tracking import for_reading

    result = invoke(settings, "tickets", "show", for_reading(ticket.code))
    assert result.exit_code == 0 and f"code: {ticket.code}" in result.output


def _called_in(session):
    """A ticket opened by a call from a mobile, with its call row and the texted code."""
    call = Call(uniqueid="1795440000.12", linkedid="1795440000.12", line="128", dnid="128",
                caller="+989121234567", progress="submitted", recording_path="calls/1795440000.12.wav",
                voice_path="voice/1795440000.12-1.wav", duration_s=95)
    session.add(call)
    complaint = Complaint(via=Via.CALL, caller="09121234567", voice_path="voice/1795440000.12-1.wav",
                          sector="banks", category="delay", origin=call)
    opened = open_ticket(session, complaint)
    assert opened.code_texted
    return opened.ticket


def test_tickets_show_json_of_a_call_from_a_mobile(settings, session):
    ticket = _called_in(session)
    result = invoke(settings, "tickets", "show", ticket.code, "--json")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert (doc["code"], doc["via"], doc["caller"], doc["caller_kind"], doc["caller_country"]) == (
        ticket.code, "call", "+989121234567", "ir_mobile", "IR")
    assert (doc["sector_code"], doc["category_code"], doc["text"], doc["voice_path"]) == (
        "banks", "delay", None, "voice/1795440000.12-1.wav")
    assert [(e["kind"], e["actor"], e["data"]) for e in doc["events"]] == [
        ("registered", "citizen", {"via": "call"})]
    assert doc["calls"] == [{"uniqueid": "1795440000.12", "line": "128", "progress": "submitted",
                             "started_at": doc["calls"][0]["started_at"], "duration_s": 95,
                             "recording_path": "calls/1795440000.12.wav",
                             "voice_path": "voice/1795440000.12-1.wav"}]
    [message] = doc["messages"]
    assert (message["direction"], message["number"], message["purpose"], message["status"]) == (
        "out", "+989121234567", "tracking_code", "pending")
    assert tracking.for_reading(ticket.code) in message["body"]
    assert doc["media"] == [] and doc["survey_score"] is None


def test_tickets_show_text_of_a_call_from_a_mobile(settings, session):
    ticket = _called_in(session)
    result = invoke(settings, "tickets", "show", ticket.code)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    for line in (f"code: {ticket.code}", "via: call", "caller: +989121234567", "caller_kind: ir_mobile",
                 "events:", "calls:", "messages:", "media:", "survey_score: -"):
        assert line in lines
    [call] = [line for line in lines if line.startswith("  uniqueid=")]
    assert call.startswith("  uniqueid=1795440000.12  line=128  progress=submitted  started_at=")
    assert call.endswith("duration_s=95  recording_path=calls/1795440000.12.wav  "
                         "voice_path=voice/1795440000.12-1.wav")
    [message] = [line for line in lines if line.startswith("  direction=")]
    assert message.startswith("  direction=out  number=+989121234567  body=")
    assert tracking.for_reading(ticket.code) in message and "purpose=tracking_code  status=pending" in message
    assert "  at=" in result.output and "kind=registered  actor=citizen" in result.output


def test_tickets_show_invalid_code_fails_clearly(settings):
    result = invoke(settings, "tickets", "show", "1234567890")
    assert result.exit_code == 1 and "check digit" in result.output


def test_tickets_show_a_valid_code_with_no_ticket_fails_clearly(settings, session):
    taken = make_ticket(session).code
    code = next(c for c in iter(tracking.new_code, None) if c != taken)
    result = invoke(settings, "tickets", "show", code)
    assert result.exit_code == 1
    assert result.output == f"Error: no ticket has the code {code}\n"
    as_json = invoke(settings, "tickets", "show", code, "--json")
    assert as_json.exit_code == 1 and as_json.output == result.output


def _commands(*path: str) -> dict[str, dict]:
    """The commands `foad … --help` lists under Commands, and theirs, all the way down."""
    output = CliRunner().invoke(main, [*path, "--help"]).output
    listed = output.split("Commands:\n")[1].splitlines() if "Commands:\n" in output else []
    names = [line.split()[0] for line in listed if line.startswith("  ") and not line.startswith("   ")]
    return {name: _commands(*path, name) for name in names}


def test_help_lists_exactly_the_commands_and_their_subcommands():
    assert _commands() == {
        "agencies": {"import": {}, "list": {}},
        "apikeys": {"add": {}, "list": {}, "revoke": {}},
        "call": {},
        "db": {"upgrade": {}},
        "fastagi": {},
        "holidays": {"add": {}, "import": {}, "list": {}},
        "prompts": {"build": {}},
        "reports": {"refresh": {}},
        "search": {"reindex": {}},
        "serve": {},
        "sms": {},
        "smpp": {},
        "tickets": {"list": {}, "show": {}},
        "users": {"add": {}, "deactivate": {}, "list": {}, "passwd": {}},
        "web": {},
        "worker": {"health": {}},
    }
