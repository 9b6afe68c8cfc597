"""What a supervisor expects all day: a pager, the way back to the filtered list, actions only
when they make sense, a grouped reassign list, an audit log to search, a quick directory,
and pages that carry the server's time for the countdowns."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html import unescape

from sqlalchemy import event

from models import lifecycle
from models.base import utcnow
from models.calls import Call
from models.tickets import TicketStatus
from models.users import Playback
from tests.console.conftest import fetch, referred, write_wav


def links(html: str, rel: str) -> list[str]:
    return [unescape(h) for h in re.findall(rf'<a href="([^"]+)" rel="{rel}"', html)]


def test_the_pager_says_page_n_of_m_and_goes_to_the_first_and_last(client, session, login):
    for n in range(101):
        referred(session, "MUN-TEH", caller=f"091220{n:05d}")
    login("sara")
    first = client.get("/console/tickets?agency=MUN-TEH").get_data(as_text=True)
    assert "صفحهٔ ۱ از ۳" in first and not links(first, "first") and not links(first, "prev")
    assert links(first, "next") == ["/console/tickets?agency=MUN-TEH&page=2"]
    assert links(first, "last") == ["/console/tickets?agency=MUN-TEH&page=3"]
    last = client.get("/console/tickets?agency=MUN-TEH&page=3").get_data(as_text=True)
    assert "صفحهٔ ۳ از ۳" in last and len(re.findall(r'<tr data-code="', last)) == 1
    assert links(last, "first") == ["/console/tickets?agency=MUN-TEH&page=1"] and not links(last, "next")
    empty = client.get("/console/tickets?q=nothing").get_data(as_text=True)
    assert "صفحهٔ ۱ از ۱" in empty


def test_a_ticket_opened_from_a_filtered_list_leads_back_to_it(client, session, login, post):
    ticket = referred(session, "MUN-TEH")
    login("sara")
    listed = client.get("/console/tickets?agency=MUN-TEH&overdue=&page=1").get_data(as_text=True)
    href = unescape(re.search(r'href="([^"]+)" class="code"', listed).group(1))
    assert href == f"/console/tickets/{ticket.code}?back=agency%3DMUN-TEH%26overdue%3D%26page%3D1"
    page = client.get(href).get_data(as_text=True)
    back = unescape(re.search(r'<p class="back"><a href="([^"]+)"', page).group(1))
    assert back == "/console/tickets?agency=MUN-TEH&page=1"  # an empty filter is no filter
    # An action keeps the way back.
    response = post(f"/console/tickets/{ticket.code}/acknowledge", {"back": "agency=MUN-TEH"}, page=href)
    assert response.headers["Location"] == f"/console/tickets/{ticket.code}?back=agency%3DMUN-TEH"


def test_the_way_back_keeps_only_the_lists_own_filters(client, session, login):
    ticket = referred(session, "MUN-TEH")
    login("sara")
    page = client.get(f"/console/tickets/{ticket.code}?back=next%3Dhttps://evil.example%26status%3Dreferred")
    back = unescape(re.search(r'<p class="back"><a href="([^"]+)"', page.get_data(as_text=True)).group(1))
    assert back == "/console/tickets?status=referred"


def test_acknowledge_is_offered_only_while_it_can_be(client, session, login):
    ticket = referred(session, "MUN-TEH")
    login("sara")
    page = f"/console/tickets/{ticket.code}"
    assert "/acknowledge" in client.get(page).get_data(as_text=True)
    lifecycle.move(ticket, TicketStatus.ACKNOWLEDGED)
    session.commit()
    html = client.get(page).get_data(as_text=True)
    assert "/acknowledge" not in html and "/resolve" in html
    lifecycle.move(ticket, TicketStatus.ESCALATED)  # the agency above acknowledges afresh
    session.commit()
    assert "/acknowledge" in client.get(page).get_data(as_text=True)


def test_the_reassign_list_is_grouped_by_province_then_level(client, session, login):
    ticket = referred(session, "MUN-TEH")
    login("sara")
    html = client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    select = re.search(r'<select name="agency" required>(.*?)</select>', html, re.S).group(1)
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select)
    labels = [label for label, _options in groups]
    assert labels[0] == "کشوری · ستاد وزارتخانه" and labels[1] == "کشوری · سازمان وابسته"
    tehran = labels.index("تهران · ادارهٔ کل استان")
    assert tehran < labels.index("تهران · ادارهٔ شهرستان") < labels.index("همدان · ادارهٔ کل استان")
    options = dict(groups)
    assert 'value="TAX-TEH"' in options["تهران · ادارهٔ کل استان"]
    assert 'value="MUN-TEH"' not in select  # where it already is
    assert 'value="MUN-HAM"' in options["همدان · ادارهٔ کل استان"]


def test_the_open_filter_shows_every_open_status(client, session, login):
    referred_one = referred(session, "MUN-TEH")
    done = referred(session, "MUN-TEH", caller="09121110009")
    lifecycle.move(done, TicketStatus.RESOLVED)
    session.commit()
    login("sara")
    html = client.get("/console/tickets?status=open").get_data(as_text=True)
    assert referred_one.code in html and done.code not in html
    everything = client.get("/console/tickets").get_data(as_text=True)  # the default: every status
    assert referred_one.code in everything and done.code in everything


def test_the_audit_log_filters_by_user_jalali_date_and_a_code_typed_any_way(app, client, session, login, person, settings):
    ticket = referred(session, "MUN-TEH", voice_path="voice/3.3.wav", text=None)
    write_wav(settings.recordings_dir / "voice/3.3.wav", seconds=1)
    other = referred(session, "MUN-TEH", caller="09121110008")
    session.add(Call(uniqueid="3.3", line="128", ticket=ticket, recording_path="voice/3.3.wav"))
    # An old playback, 1405/07/01 (2026-09-23) by reza, of the other ticket.
    session.add(Playback(user_id=person("reza").id, ticket_id=other.id, kind="voice", target="voice/x.wav",
                         at=datetime(2026, 9, 23, 8, 0, tzinfo=timezone.utc)))
    session.commit()
    login("sara")
    fetch(client, f"/console/replay/voice/{ticket.code}")

    def shown(query: str) -> set[str]:
        html = client.get(f"/console/audit?{query}").get_data(as_text=True)
        return set(re.findall(r'<td dir="ltr" class="path">([^<]+)</td>', html))

    assert shown("") == {"voice/3.3.wav", "voice/x.wav"}
    assert shown("user=reza") == {"voice/x.wav"} and shown("user=sara") == {"voice/3.3.wav"}
    assert shown("since=۱۴۰۵/۰۷/۰۱&until=1405/07/01") == {"voice/x.wav"}
    persian = ticket.code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    for typed in (f"{ticket.code[:3]}-{ticket.code[3:6]}-{ticket.code[6:]}", persian):
        assert shown(f"ticket={typed}") == {"voice/3.3.wav"}, typed
    html = client.get("/console/audit?ticket=12345").get_data(as_text=True)
    assert "کد رهگیری «12345» درست نیست" in html and "voice/3.3.wav" in html


def test_the_directory_page_reads_the_officials_in_one_query(app, client, login, runtime):
    login("ali")
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731  (conn, cursor, statement, …)
    event.listen(runtime.engine, "before_cursor_execute", listen)
    try:
        html = client.get("/console/admin/directory").get_data(as_text=True)
    finally:
        event.remove(runtime.engine, "before_cursor_execute", listen)
    rows = len(re.findall(r'<tr><td dir="ltr">', html))
    assert rows > 40  # the sample directory
    assert len([s for s in statements if "officials" in s]) == 1 and len(statements) < 10


def test_pages_carry_the_servers_time_for_the_countdowns(client, session, login):
    referred(session, "MUN-TEH")
    login("sara")
    before = utcnow()
    page = client.get("/console/tickets").get_data(as_text=True)
    rows = client.get("/console/tickets?rows=1", headers={"X-Foad-Background": "1"}).get_data(as_text=True)
    for html, attribute in ((page, "data-server-now"), (rows, "data-now")):
        stamp = datetime.fromisoformat(re.search(rf'{attribute}="([^"]+)"', html).group(1))
        assert before - timedelta(seconds=1) <= stamp <= utcnow()
