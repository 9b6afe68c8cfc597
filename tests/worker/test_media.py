"""The media job locks its row: two runs at once download an attachment once."""

import threading
import time

from sqlalchemy import select, text

from models.media import Media, MediaStatus, attach
from models.runtime import Runtime
from models.messages import Direction, Message, MessageStatus
from tests.builders import make_ticket
from tests.peers.fixtures import twilio_api  # noqa: F401  (a fixture)
from tests.worker.processes import wait_for
from worker.media import fetch_media

JPEG = b"\xff\xd8\xff\xe0" + b"photo" * 1000


def waiting_on_the_row_lock(runtime: Runtime) -> bool:
    """True once a run waits for the media row's lock (PostgreSQL shows it; SQLite, whose
    writers take turns on one lock, cannot, so this gives the second run a moment)."""
    if runtime.engine.dialect.name == "sqlite":
        time.sleep(0.5)
        return True
    with runtime.engine.connect() as conn:
        return bool(conn.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query ILIKE '%FROM media%FOR UPDATE%'")))


def test_two_runs_at_once_download_an_attachment_once(runtime, session, configure, twilio_api):
    configure(twilio=twilio_api.settings(timeout=30))
    ticket = make_ticket(session)
    mms = Message(direction=Direction.IN, number=ticket.caller or "+989121234567", status=MessageStatus.RECEIVED)
    [item] = attach(session, ticket, [(twilio_api.add_media("image/jpeg", JPEG), "image/jpeg")], mms)
    session.commit()
    twilio_api.hold_media()  # the first download hangs until released
    first = threading.Thread(target=fetch_media, args=(item.id,))
    first.start()
    wait_for(lambda: twilio_api.media_requests, what="the first run to start downloading")
    second = threading.Thread(target=fetch_media, args=(item.id,))
    second.start()
    wait_for(lambda: len(twilio_api.media_requests) > 1 or waiting_on_the_row_lock(runtime),
             what="the second run to download too, or to wait for the first")
    twilio_api.release()
    first.join()
    second.join()
    assert len(twilio_api.media_requests) == 1
    stored = session.scalars(select(Media).execution_options(populate_existing=True)).one()
    session.commit()
    assert stored.status == MediaStatus.STORED and stored.size == len(JPEG)
