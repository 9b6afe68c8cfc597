"""The ticket list: each filter, the search, the live rows, the countdown's data."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from console.ticket_list import PAGE_SIZE, TicketFilter
from models import lifecycle
from models.base import Base, utcnow
from models.tickets import TicketStatus, Via
from tests.console.conftest import referred


def codes(client, query: str = "") -> set[str]:
    html = client.get(f"/console/tickets?{query}").get_data(as_text=True)
    return set(re.findall(r'data-code="(\d+)"', html))


@pytest.fixture
def three(session, login):
    """A Tehran SMS to MUN-TEH, a Hamedan call to MUN-HAM (overdue), a bank one acknowledged."""
    now = utcnow()
    sms = referred(session, "MUN-TEH", caller="09121000001", province="tehran",
                   at=now - timedelta(hours=1))
    call = referred(session, "MUN-HAM", caller="08132223344", via=Via.CALL, text=None,
                    voice_path="v.wav", at=now - timedelta(hours=4))
    bank = referred(session, "BMI-TEH", caller="09121000003", province="tehran", at=now - timedelta(days=3))
    lifecycle.move(bank, TicketStatus.ACKNOWLEDGED)
    session.commit()
    login("sara")
    return sms, call, bank


def test_no_filter_lists_all_newest_first(client, three):
    sms, call, bank = three
    html = client.get("/console/tickets").get_data(as_text=True)
    assert html.index(sms.code) < html.index(call.code) < html.index(bank.code)


def test_filters_by_status_agency_province_and_via(client, three):
    sms, call, bank = three
    assert codes(client, "status=acknowledged") == {bank.code}
    assert codes(client, "agency=MUN-HAM") == {call.code}
    assert codes(client, "agency=IMVO") == {sms.code, call.code}  # and the agencies below it
    assert codes(client, "province=hamadan") == {call.code}  # from the landline's area code
    assert codes(client, "via=call") == {call.code}
    assert codes(client, "via=sms&province=tehran") == {sms.code, bank.code}


def test_overdue_shows_open_tickets_past_their_deadline(client, three):
    _sms, call, bank = three  # the bank's 3-day-old ticket is overdue too, acknowledged or not
    assert codes(client, "overdue=1") == {call.code, bank.code}


def test_date_range_is_in_jalali_tehran_days(client, session, login):
    # 1405/07/01 starts at 2026-09-22 20:30 UTC (Tehran midnight).
    before = referred(session, "MUN-TEH", at=datetime(2026, 9, 22, 20, 0, tzinfo=timezone.utc))
    after = referred(session, "MUN-TEH", caller="09121000002",
                     at=datetime(2026, 9, 22, 21, 0, tzinfo=timezone.utc))
    login("sara")
    assert codes(client, "since=1405/07/01") == {after.code}
    assert codes(client, "until=۱۴۰۵/۰۶/۳۱") == {before.code}
    assert codes(client, "since=1405/06/31&until=1405/07/01") == {before.code, after.code}


def test_a_bad_date_is_named_and_ignored(client, three):
    html = client.get("/console/tickets?since=1405/13/40").get_data(as_text=True)
    assert "درست نیست" in html and len(re.findall(r'data-code="', html)) == 3


def test_search_by_code_in_any_form_and_by_first_digits(client, three):
    sms, _call, _bank = three
    spaced = f"{sms.code[:3]}-{sms.code[3:6]} {sms.code[6:]}"
    persian = sms.code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert codes(client, f"q={spaced}") == {sms.code}
    assert codes(client, f"q={persian}") == {sms.code}
    assert sms.code in codes(client, f"q={sms.code[:6]}")


def test_search_by_caller_number_in_local_or_international_form(client, three):
    sms, call, _bank = three
    assert codes(client, "q=09121000001") == {sms.code}
    assert codes(client, "q=%2B982188776655") == set()
    assert codes(client, "q=081-3222-3344") == {call.code}
    assert codes(client, "q=nothing") == set()


def test_rows_only_answer_for_the_live_refresh(client, three):
    sms, _call, _bank = three
    html = client.get("/console/tickets?rows=1").get_data(as_text=True)
    assert "<tr" in html and sms.code in html and "<html" not in html


def test_open_tickets_carry_their_deadline_for_the_countdown(client, three):
    sms, _call, _bank = three
    html = client.get(f"/console/tickets?q={sms.code}").get_data(as_text=True)
    assert f'data-due="{sms.due_at.isoformat()}"' in html


def test_list_pages_past_fifty_rows(client, session, login):
    for n in range(51):
        referred(session, "MUN-TEH", caller=f"091210{n:05d}")
    login("sara")
    assert len(codes(client)) == 50 and len(codes(client, "page=2")) == 1


def test_an_inspectors_agency_filter_offers_only_their_agencies(client, session, login):
    login("nima")  # IMVO: itself and the municipal directorates and offices below it
    html = client.get("/console/tickets").get_data(as_text=True)
    offered = set(re.findall(r'<option value="([A-Z][A-Z-]+)"', html))
    assert {"IMVO", "MUN-TEH", "MUN-HAM", "MUN-TEH-SHAHRIAR"} <= offered
    assert "BMI-TEH" not in offered and "TAX-TEH" not in offered


def test_a_background_refresh_counts_only_up_to_the_cap(client, three, monkeypatch):
    monkeypatch.setattr("console.tickets.COUNT_CAP", 2)  # three tickets: more than the cap
    quiet = client.get("/console/tickets?rows=1", headers={"X-Foad-Background": "1"}).get_data(as_text=True)
    assert 'data-total="بیش از ۲ مورد"' in quiet and len(re.findall(r'data-code="', quiet)) == 3
    opened = client.get("/console/tickets").get_data(as_text=True)
    assert 'data-total="۳ مورد"' in opened and "۳ مورد" in opened


def test_the_newest_first_list_reads_the_registered_at_index(session, person):
    supervisor = person("sara")
    query = TicketFilter().query(session, supervisor, utcnow(), timedelta(hours=3)).limit(PAGE_SIZE)
    sql = str(query.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    if session.get_bind().dialect.name == "postgresql":
        # A test's tables are tiny (any plan is quick): say how big they all are, so that the
        # plan does not hang on whether autovacuum got to the joined ones yet, and ask for
        # the plan at scale.
        for table in Base.metadata.sorted_tables:
            session.execute(text(f'ANALYZE "{table.name}"'))
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(session.scalars(text(f"EXPLAIN {sql}")))
        assert "Index Scan Backward using ix_tickets_registered_at_id" in plan and "Sort" not in plan
    else:
        plan = "\n".join(row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
        assert "USING INDEX ix_tickets_registered_at_id" in plan and "TEMP B-TREE" not in plan
    session.rollback()
