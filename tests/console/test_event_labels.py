"""Every kind of timeline event the engine writes has a Persian label on the ticket page."""

from __future__ import annotations

import pytest

from console.view import EVENT_LABELS, status_label
from models.events import Event
from models.lookup import STATUS_LABELS
from models.tickets import TicketStatus, record
from tests.builders import make_ticket


def test_every_event_kind_has_a_persian_label() -> None:
    assert set(EVENT_LABELS) == {kind.value for kind in Event}
    assert set(STATUS_LABELS) == set(TicketStatus)


def test_the_timeline_takes_no_kind_defined_nowhere(session) -> None:
    ticket = make_ticket(session)
    with pytest.raises(TypeError, match="an Event or a TicketStatus"):
        record(ticket, "breached")  # a typo would have gone unlabelled on every page


def test_a_status_and_an_event_are_both_labelled_in_persian(session) -> None:
    ticket = make_ticket(session)
    moved, noted = record(ticket, TicketStatus.REFERRED), record(ticket, Event.BREACH)
    assert status_label(moved.kind) == STATUS_LABELS[TicketStatus.REFERRED][0]
    assert status_label(noted.kind) == EVENT_LABELS["breach"]
