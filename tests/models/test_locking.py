"""A job's ticket, locked (models.locking): read lean and taken into the session as the ORM
would have loaded it, fresh over what the session held."""

from sqlalchemy import select, update

from models.categories import Category
from models.locking import locked_ticket
from models.tickets import Ticket
from tests.builders import agency, make_ticket


def test_a_locked_ticket_is_the_stored_row_with_its_category_and_no_timeline_read(runtime):
    with runtime.session() as session:
        ticket_id = make_ticket(session, sector="banks", province="tehran", category="delay").id
    with runtime.session() as session:
        ticket = locked_ticket(session, ticket_id)
        stored = session.connection().execute(select(Ticket.__table__).where(Ticket.id == ticket_id)).one()
        assert {key: getattr(ticket, key) for key in stored._mapping} == dict(stored._mapping)
        assert "category" in ticket.__dict__ and ticket.category is session.get(Category, "delay")
        assert ticket.events == []  # jobs append to it: its entries are not read
        assert ticket.agency is None and session.is_modified(ticket) is False
        session.commit()
    with runtime.session() as session:
        assert locked_ticket(session, -1) is None


def test_a_ticket_the_session_held_is_refreshed_with_what_another_process_wrote(runtime):
    with runtime.session() as session:
        ticket_id = make_ticket(session, sector="banks", province="tehran").id
    with runtime.session() as session:
        held = session.get(Ticket, ticket_id)
        assert held.agency is None
        unit = agency(session, "BMI-TEH")
        session.commit()
        with runtime.engine.begin() as elsewhere:
            elsewhere.execute(update(Ticket).where(Ticket.id == ticket_id).values(agency_id=unit.id, county="x"))
        ticket = locked_ticket(session, ticket_id)
        assert ticket is held and ticket.county == "x"
        assert ticket.agency_id == unit.id and ticket.agency is unit  # read anew, not the one held
