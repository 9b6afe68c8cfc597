"""The one intake service: validation, codes, the timeline, the outbox, texts and limits."""

import secrets
import threading
from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import func, select, text

from models import errors, search, tracking
from models.base import utcnow
from models.blocklist import block
from models.calls import Call
from models.intake import Complaint, IntakeRules, open_ticket, register
from models.messages import Message, MessageStatus, OptOut
from models.new_ticket import CODE_ATTEMPTS
from models.outbox import OutboxItem
from models.search import SearchDocument
from models.tickets import CallerKind, Ticket, TicketStatus, Via
from tests.builders import agency, make_ticket
from tests.waiting import on_the_way
from worker.outbox import job_id
from worker.queues import NOTIFICATIONS, ROUTING


def test_a_ticket_gets_a_valid_code_a_first_event_and_routing_work(session, runtime):
    ticket = make_ticket(session, text="باجهٔ ۳ بسته بود")
    assert tracking.is_valid(ticket.code)
    assert ticket.status == TicketStatus.REGISTERED
    assert [e.kind for e in ticket.events] == ["registered", "triaged"]  # "باجه": a bank's counter?
    registered, triaged = ticket.events
    assert (registered.actor, registered.data, registered.at) == ("citizen", {"via": "sms"}, ticket.registered_at)
    assert "applied" in triaged.data and triaged.at == ticket.registered_at
    item = session.scalars(select(OutboxItem).where(OutboxItem.ticket_id == ticket.id)).one()
    assert item.job == "route_ticket" and item.args == [ticket.id] and item.key == f"route_ticket:{ticket.id}"
    assert job_id(item.id) in on_the_way(runtime.redis, ROUTING)
    assert session.get(SearchDocument, ticket.id).body == search.words("باجهٔ ۳ بسته بود") != ""


def test_a_complaint_without_words_has_no_search_document_and_one_event(session):
    ticket = make_ticket(session, via=Via.CALL, caller="09121234567", voice_path="v/0.wav", text=None)
    assert session.get(SearchDocument, ticket.id) is None
    assert [e.kind for e in ticket.events] == ["registered"]
    assert session.scalars(select(OutboxItem.key).where(OutboxItem.ticket_id == ticket.id)).all() == [
        f"route_ticket:{ticket.id}", f"send_sms:{session.scalars(select(Message.id)).one()}"]


def test_the_text_is_kept_exactly_as_sent(session):
    text = "سلام 👋 كارمند يك ساعت  معطل كرد\u200cند — Bank Melli ۱۲۳"
    assert make_ticket(session, text=text).text == text


def test_a_landline_caller_gets_the_province_of_the_area_code(session):
    ticket = make_ticket(session, via=Via.CALL, caller="08138221100", voice_path="v/1.wav")
    assert ticket.province_code == "hamadan" and ticket.caller_kind == CallerKind.IR_LANDLINE


def test_a_keyed_province_wins_over_nothing(session):
    ticket = make_ticket(session, via=Via.CALL, caller="09121234567", province="tehran",
                         voice_path="v/2.wav")
    assert ticket.province_code == "tehran"


def test_a_withheld_caller_still_gets_a_ticket(session):
    ticket = make_ticket(session, via=Via.CALL, caller="anonymous", voice_path="v/3.wav")
    assert ticket.caller is None and ticket.caller_kind == CallerKind.WITHHELD


def test_a_mobile_caller_is_texted_the_code(session):
    opened = open_ticket(session, Complaint(via=Via.CALL, caller="09121234567", voice_path="v/4.wav"))
    message = session.scalars(select(Message).where(Message.ticket_id == opened.ticket.id)).one()
    assert opened.code_texted and message.number == "+989121234567"
    assert tracking.for_reading(opened.ticket.code) in message.body
    assert message.status == MessageStatus.PENDING


def test_an_english_caller_abroad_is_texted_in_english(session):
    opened = open_ticket(session, Complaint(via=Via.CALL, caller="+447700900123", language="en",
                                            voice_path="v/5.wav"))
    message = session.scalars(select(Message).where(Message.ticket_id == opened.ticket.id)).one()
    assert tracking.spaced(opened.ticket.code) in message.body and "Tracking code" in message.body


def test_landline_and_sms_complaints_are_not_texted_the_code(session):
    by_landline = open_ticket(session, Complaint(via=Via.CALL, caller="02188776655", voice_path="v/6.wav"))
    by_sms = open_ticket(session, Complaint(via=Via.SMS, caller="09121234567", text="x"))
    assert not by_landline.code_texted and not by_sms.code_texted
    assert session.scalar(select(func.count()).select_from(Message)) == 0


def test_an_opted_out_number_gets_no_text(session):
    session.add(OptOut(number="+989121234567"))
    session.commit()
    opened = open_ticket(session, Complaint(via=Via.CALL, caller="09121234567", voice_path="v/7.wav"))
    message = session.scalars(select(Message)).one()
    assert not opened.code_texted and message.status == MessageStatus.OPTED_OUT
    assert session.scalar(select(func.count()).select_from(OutboxItem).where(OutboxItem.job == "send_sms")) == 0


def test_the_call_that_carried_it_is_linked(session):
    call = Call(uniqueid="1795438194.5", line="128", caller="+982188776655")
    session.add(call)
    ticket = make_ticket(session, via=Via.CALL, caller="02188776655", voice_path="v/8.wav", origin=call)
    assert session.get(Call, call.id).ticket_id == ticket.id


def test_media_are_recorded_with_work_to_fetch_them(session):
    ticket = make_ticket(session, text="", media=[("https://api.twilio.com/m/1", "image/jpeg"),
                                                  ("https://api.twilio.com/m/2", "video/mp4")])
    jobs = session.scalars(select(OutboxItem.job).where(OutboxItem.ticket_id == ticket.id)).all()
    assert sorted(jobs) == ["fetch_media", "fetch_media", "route_ticket"]


@pytest.mark.parametrize("overrides, error", [
    ({"category": "weather"}, errors.UnknownCategory),
    ({"sector": "space"}, errors.UnknownSector),
    ({"agency_id": 999999}, errors.UnknownAgency),
    ({"province": "atlantis"}, errors.UnknownProvince),
    ({"text": "   "}, errors.EmptyComplaint),
])
def test_bad_input_is_a_clear_domain_error_and_nothing_is_stored(session, overrides, error):
    with pytest.raises(error):
        make_ticket(session, **overrides)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_a_known_agency_sector_and_category_are_accepted(session):
    tax = agency(session, "TAX-TEH")
    ticket = make_ticket(session, agency_id=tax.id, sector="tax", category="delay")
    assert ticket.agency.code == "TAX-TEH" and ticket.category.label_en == "Delay and wasted time"


def test_a_blocked_number_is_refused(session):
    block(session, "+989121234567", reason="abuse")
    session.commit()
    with pytest.raises(errors.Blocked):
        make_ticket(session)


def test_an_expired_block_no_longer_refuses(session):
    block(session, "+989121234567", until=utcnow() - timedelta(minutes=1))
    session.commit()
    assert make_ticket(session).code


def test_too_many_complaints_in_an_hour_are_refused(session):
    rules = IntakeRules(max_per_hour=2)
    make_ticket(session, rules)
    make_ticket(session, rules)
    with pytest.raises(errors.TooManyComplaints):
        make_ticket(session, rules)
    later = utcnow() + timedelta(hours=1, minutes=1)
    assert open_ticket(session, Complaint(via=Via.SMS, caller="09121234567", text="x"), rules, now=later)


def test_concurrent_intake_with_colliding_codes_makes_no_duplicates(runtime, caplog):
    pool: list[str] = []  # every code handed out is handed out again, to whoever draws next
    repeated = threading.local()  # ... unless that thread's own last draw was a repeat: then
    lock = threading.Lock()  # a fresh one, so no thread clashes CODE_ATTEMPTS times in a row

    def colliding() -> str:
        with lock:
            if pool and not getattr(repeated, "last", False):
                repeated.last = True
                return pool.pop(0)
            repeated.last = False
            pool.append(tracking.new_code())
            return pool[-1]

    rules = IntakeRules(max_per_hour=1000, codes=colliding)
    failures: list[BaseException] = []

    def intake(n: int) -> None:
        try:
            with runtime.session() as s:
                for i in range(3):
                    open_ticket(s, Complaint(via=Via.SMS, caller=f"0912000{n:02d}{i:02d}", text="x"), rules)
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=intake, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with runtime.session() as s:
        codes = s.scalars(select(Ticket.code)).all()
    assert len(codes) == 24 and len(set(codes)) == 24 and all(tracking.is_valid(c) for c in codes)
    assert _clashes(caplog) >= 12  # the retry path really ran, many times at once


def _clashes(caplog) -> int:
    return sum(r.getMessage() == "tracking code taken, drawing another" for r in caplog.records)


def _one_code_only(monkeypatch) -> None:
    """The stdlib's random source draws the same number every time, so every code that
    tracking.new_code makes is the same one."""
    monkeypatch.setattr(secrets, "randbelow", lambda n: 348_271_950 % n)  # the body 448271950: not patterned


def test_when_every_code_drawn_is_taken_intake_refuses_clearly_and_stores_nothing(
        session, monkeypatch, caplog):
    _one_code_only(monkeypatch)
    first = make_ticket(session)
    assert first.code == "448271950" + tracking.check_digit("448271950")
    with pytest.raises(errors.NoFreeCode, match=f"no free tracking code after {CODE_ATTEMPTS} tries"):
        make_ticket(session, caller="09351112233")
    session.rollback()
    assert session.scalars(select(Ticket.code)).all() == [first.code]
    assert _clashes(caplog) == CODE_ATTEMPTS
    assert issubclass(errors.NoFreeCode, errors.DomainError)  # the channels answer it politely


def test_a_refusal_other_than_a_taken_code_is_not_retried(session, runtime, caplog):
    make_ticket(session)
    index = "ix_test_one_ticket_per_caller"
    with runtime.engine.begin() as conn:
        conn.execute(text(f"CREATE UNIQUE INDEX {index} ON tickets (caller)"))
    try:
        with pytest.raises(errors.TicketNotStored, match=f"refused the ticket: ({index}|.*tickets.caller)") as refused:
            make_ticket(session)
    finally:
        session.rollback()
        with runtime.engine.begin() as conn:
            conn.execute(text(f"DROP INDEX {index}"))
    assert not isinstance(refused.value, errors.NoFreeCode) and _clashes(caplog) == 0
    assert "912" not in str(refused.value)  # the caller's number stays out of the message
    assert session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_the_code_text_waits_with_routing_for_one_drain(session, runtime):
    opened = open_ticket(session, Complaint(via=Via.CALL, caller="09121234567", voice_path="v/9.wav"))
    assert len(Queue(NOTIFICATIONS, connection=runtime.redis)) == 0
    [job] = Queue(ROUTING, connection=runtime.redis).get_jobs()
    route, code = session.scalars(select(OutboxItem.id).where(OutboxItem.ticket_id == opened.ticket.id)
                                  .order_by(OutboxItem.id)).all()
    assert job.func_name == "worker.outbox.drain" and job.args == (ROUTING,)
    assert on_the_way(runtime.redis, ROUTING) == [job_id(route), job_id(code)]


def _registered(session, caller: str) -> Ticket:
    return register(session, Complaint(via=Via.SMS, caller=caller, text="x"), IntakeRules(max_per_hour=1000)).ticket


def test_a_rolled_back_ticket_leaves_the_session_as_an_inserted_object_would(session):
    kept = _registered(session, "09121110001")
    with pytest.raises(RuntimeError):
        with session.begin_nested():
            dropped = _registered(session, "09121110002")
            raise RuntimeError("the caller's own write failed")
    assert kept in session and dropped not in session  # only the savepoint's ticket is forgotten
    session.rollback()
    assert kept not in session
    # The next ticket may take a rolled-back id (SQLite reuses it): the session takes it all the same.
    again = make_ticket(session, caller="09121110003")
    assert session.get(Ticket, again.id) is again and again.events[0].kind == "registered"


def test_a_committed_ticket_stays_in_the_session_after_a_later_rollback(session):
    first = make_ticket(session, caller="09121110004")
    _registered(session, "09121110005")
    session.rollback()
    assert first in session and first.code == session.scalar(select(Ticket.code).where(Ticket.id == first.id))
