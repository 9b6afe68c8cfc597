"""Only the intake service makes tickets: no other package source builds or inserts one."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ivr", "sms", "worker", "console", "foad", "models", "open311", "citizen")
INTAKE = ROOT / "models" / "intake.py"

MAKES_A_TICKET = re.compile(
    r"(?<!class )\bTicket\s*\("  # the model built (its own class statement aside)
    r"|\bblank\s*\(\s*Ticket\b"  # or made bare (models.db.blank)
    r"|\binsert\s*\(\s*Ticket\b"  # a Core insert of the model or its table
    r"|\bTicket\.__table__\s*\.\s*insert\b"
    r"|\bbulk_insert_mappings\s*\(\s*Ticket\b"
    r"|(?i:\binsert\s+(?:or\s+\w+\s+)?into\s+[\"'`]?tickets\b)"  # SQL text, in any case
    r"|(?i:\bcopy\s+[\"'`]?tickets\b)"
)
"""Ways source could make a ticket."""


def _hits(source: str) -> list[str]:
    return MAKES_A_TICKET.findall(source)


def test_no_package_makes_a_ticket_outside_the_intake_service():
    found = {
        f"{path.relative_to(ROOT)}: {hit}"
        for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
        if path != INTAKE for hit in _hits(path.read_text(encoding="utf-8"))
    }
    assert found == set()


def test_the_intake_service_is_where_tickets_are_made():
    assert _hits(INTAKE.read_text(encoding="utf-8"))  # the scan sees the real path


@pytest.mark.parametrize("source", [
    "ticket = Ticket(code=code, via=Via.CALL)",
    "session.add(Ticket (caller=number))",
    "draft = blank(Ticket)",
    "session.execute(insert(Ticket).values(code=code))",
    "conn.execute(insert(Ticket.__table__), rows)",
    "conn.execute(Ticket.__table__.insert().values(code=code))",
    "session.bulk_insert_mappings(Ticket, rows)",
    'conn.execute(text("INSERT INTO tickets (code) VALUES (:c)"))',
    "cur.execute('insert or ignore into \"tickets\" (code) values (?)')",
    'cur.copy("COPY tickets (code, via) FROM STDIN")',
])
def test_the_scan_catches_every_way_of_making_a_ticket(source):
    assert _hits(source)


@pytest.mark.parametrize("source", [
    "class Ticket(Base):",
    "TicketEvent(kind=kind)",
    "TicketClock(ticket_id=ticket.id)",
    "select(Ticket).where(Ticket.code == code)",
    "def make_ticket(session) -> Ticket:",
    "insert(TicketEvent).values(kind='x')",
    "INSERT INTO ticket_events (kind) VALUES ('x')",
    "ticket(agency)",
])
def test_the_scan_leaves_other_code_alone(source):
    assert _hits(source) == []
