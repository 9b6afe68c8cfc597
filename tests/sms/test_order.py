"""One number's texts: answered one at a time, in the order they came, each as of the moment
it came (real answer jobs, real `foad worker` processes)."""

from __future__ import annotations

from datetime import timedelta

from rq.registry import StartedJobRegistry
from sqlalchemy import func, select, update

from foad.app import create_app
from foad.runtime import make_runtime
from models import tracking
from models.base import utcnow
from models.messages import Direction, Message
from models.outbox import Job, OutboxItem, Work
from models.tickets import Ticket
from sms.answering import answer_sms
from tests.builders import make_ticket
from tests.sms.locks import messages_held, wait_until_waiting
from tests.sms.webhooks import CITIZEN, Twilio, another_mobile
from tests.worker.processes import running_worker, wait_for
from worker.health import check
from worker.outbox import push_each
from worker.queues import ROUTING

DEAD_REDIS = "redis://127.0.0.1:1/0"
FIRST, SECOND = "کارمند باجه نیامد", "شعبه میدان ونک، ساعت ۱۰ صبح"


def tickets(session) -> list[Ticket]:
    session.rollback()
    found = list(session.scalars(select(Ticket).order_by(Ticket.id)).unique())
    session.commit()
    return found


def taken_in_offline(settings, *bodies: str, sender: str = CITIZEN) -> list[dict[str, str]]:
    """Texts the webhook took in while Redis was down: stored with their work, none queued."""
    offline = make_runtime(settings, DEAD_REDIS)
    twilio = Twilio(create_app(offline).test_client(), settings.twilio.account_sid, settings.twilio.auth_token)
    forms = [twilio.form(body, sender=sender) for body in bodies]
    for form in forms:
        twilio.deliver(form)
    offline.close()
    return forms


def answer_work(session) -> list[Work]:
    """The answer jobs the outbox holds, oldest first."""
    items = session.scalars(select(OutboxItem).where(OutboxItem.job == Job.ANSWER_SMS).order_by(OutboxItem.id))
    work = [Work(item.id, item.job, tuple(item.args)) for item in items]
    session.commit()
    return work


def came_in(session, sid: str, ago: timedelta) -> None:
    """Say the text came in `ago` and waited in the queue since."""
    session.execute(update(Message).where(Message.provider_id == sid).values(created_at=utcnow() - ago))
    session.commit()


def test_two_workers_on_two_quick_texts_of_one_number_make_one_ticket_and_a_merge(
        runtime, settings, session, phones, tmp_path):
    forms = taken_in_offline(settings, FIRST, SECOND)
    work = answer_work(session)
    ids = [phones.inbound(form["MessageSid"]).id for form in forms]
    with running_worker(settings, tmp_path / "one.log", "--queues", "routing"), \
            running_worker(settings, tmp_path / "two.log", "--queues", "routing"):
        wait_for(lambda: len(check(runtime.redis, (ROUTING,)).workers) == 2, what="two workers")
        # Both jobs meet the texts held, so that both go on at the same moment.
        with messages_held(runtime, *ids) as holder:
            push_each(runtime.redis, reversed(work))  # as jobs of their own, the later text's first
            started = StartedJobRegistry(ROUTING, connection=runtime.redis)
            wait_for(lambda: started.count == 2, what="both answer jobs to start")
            wait_until_waiting(runtime, holder, 2)
        wait_for(lambda: all(phones.inbound(f["MessageSid"]).reply for f in forms), what="both answers")
    [ticket] = tickets(session)
    assert ticket.text == f"{FIRST}\n{SECOND}"
    code = tracking.for_reading(ticket.code)
    first, second = [phones.inbound(f["MessageSid"]).reply for f in forms]
    # The first names no service: its reply asks for one; the second is no answer, and joins it.
    assert first.startswith(f"ثبت شد. کد پیگیری {code}\nکدام دستگاه؟")
    assert second == f"پیام شما به شکایت {code} افزوده شد."
    assert [e.kind for e in ticket.events].count("sms_appended") == 1


def test_the_later_texts_job_answers_the_earlier_one_first(twilio, phones, session):
    first, second = twilio.form(FIRST), twilio.form(SECOND)
    twilio.deliver(first)
    twilio.deliver(second)
    answer_sms(phones.inbound(second["MessageSid"]).id)  # its job ran first
    [ticket] = tickets(session)
    assert ticket.text == f"{FIRST}\n{SECOND}"
    replies = [phones.inbound(f["MessageSid"]).reply for f in (first, second)]
    assert "کد پیگیری" in replies[0] and "افزوده شد" in replies[1]
    answer_sms(phones.inbound(first["MessageSid"]).id)  # the earlier one's own job: nothing left
    assert phones.inbound(first["MessageSid"]).reply == replies[0]
    assert [m.body for m in phones.replies(CITIZEN)] == replies and len(tickets(session)) == 1


def test_a_text_that_came_in_time_joins_the_complaint_though_answered_after_the_window(
        twilio, phones, session):
    twilio.text(FIRST)
    after = phones.mark()
    form = twilio.form(SECOND)
    twilio.deliver(form)
    # It came 9 min 50 s after the complaint and waited 30 s: answered 10 min 20 s after.
    came_in(session, form["MessageSid"], timedelta(seconds=30))
    session.execute(update(Ticket).values(registered_at=utcnow() - timedelta(minutes=10, seconds=20)))
    session.commit()
    assert "افزوده شد" in phones.answer(form["MessageSid"], after)
    [ticket] = tickets(session)
    assert ticket.text == f"{FIRST}\n{SECOND}"


def test_the_hourly_limit_counts_the_hour_before_the_text_came(twilio, phones, session, runtime):
    sender, limit = another_mobile(), runtime.settings.max_complaints_per_hour
    for n in range(limit):
        make_ticket(session, caller=sender, text=f"شکایت {n}")
    # The tickets are 60 min 30 s old when the job runs, 59 min 30 s when the text came.
    session.execute(update(Ticket).values(registered_at=utcnow() - timedelta(hours=1, seconds=30)))
    session.commit()
    after = phones.mark()
    form = twilio.form("شکایت دیگر", sender=sender)
    twilio.deliver(form)
    came_in(session, form["MessageSid"], timedelta(seconds=60))
    assert phones.answer(form["MessageSid"], after).startswith("شکایت‌های اخیر شما ثبت شده است")
    assert len(tickets(session)) == limit


def test_a_complaint_is_registered_as_of_the_moment_its_text_came(twilio, phones, session):
    form = twilio.form(FIRST)
    twilio.deliver(form)
    came_in(session, form["MessageSid"], timedelta(minutes=2))
    phones.answer(form["MessageSid"], 0)
    [ticket] = tickets(session)
    message = phones.inbound(form["MessageSid"])
    assert ticket.registered_at == message.created_at
    session.rollback()
    assert session.scalar(select(func.count()).where(Message.direction == Direction.IN)) == 1
