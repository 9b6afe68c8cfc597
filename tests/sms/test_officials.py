"""Officials answer by SMS from their registered mobile: `<code> ok` and `<code> <result>`."""

from sqlalchemy import func, select

from models import tracking
from models.agencies import Official
from models.deadlines import policy
from models.escalation import check
from models.messages import OptOut, OptOutSource
from models.outbox import OutboxItem
from models.persian import persian_digits
from models.tickets import Ticket, TicketStatus
from tests.builders import make_ticket
from tests.sms.builders import fresh, referred
from tests.sms.webhooks import CITIZEN
from worker.queues import ROUTING

BMI_TEHRAN_HEAD = "+989970000024"
BMI_HEAD = "+989970000012"  # Bank Melli Iran, the body above Bank Melli's Tehran branches
BMI_HAMADAN_HEAD = "+989970000034"
TEHRAN_MUNICIPALITY_HEAD = "+989970000041"  # a county office below MUN-TEH
TEHRAN_URBAN_AFFAIRS_HEAD = "+989970000023"  # MUN-TEH: Tehran's province, another sector


def unchanged(session, ticket) -> tuple:
    """What an official's answer would change on the ticket."""
    ticket = fresh(session, ticket)
    found = (ticket.status, ticket.result_text, ticket.acknowledged_at, len(ticket.events))
    session.commit()
    return found


def official(session, mobile: str) -> Official:
    return session.scalars(select(Official).where(Official.mobile == mobile)).one()


def test_code_ok_acknowledges_and_the_clock_keeps_running(twilio, session):
    ticket = referred(session)
    reply = twilio.text(f"{ticket.code} ok", sender=BMI_TEHRAN_HEAD)
    assert reply == f"دریافت شکایت {tracking.for_reading(ticket.code)} ثبت شد. مهلت پاسخ همچنان می‌گذرد."
    ticket = fresh(session, ticket)
    assert ticket.status == TicketStatus.ACKNOWLEDGED
    assert ticket.events[-1].actor == f"official:{official(session, BMI_TEHRAN_HEAD).id}"


def test_other_ways_of_saying_ok(twilio, session):
    for word in ["OK", "تایید", "تأیید.", "Okay"]:
        ticket = referred(session)
        twilio.text(f"{tracking.spaced(ticket.code)} {word}", sender=BMI_TEHRAN_HEAD)
        assert fresh(session, ticket).status == TicketStatus.ACKNOWLEDGED, word


def test_code_and_result_resolves_and_the_citizen_is_texted_it(twilio, phones, session):
    ticket = referred(session)
    result = "کارمند خاطی تذکر گرفت و باجهٔ ۳ از فردا ساعت ۸ باز است 👍"
    reply = twilio.text(f"{persian_digits(ticket.code)} {result}", sender=BMI_TEHRAN_HEAD)
    assert reply == f"نتیجهٔ شکایت {tracking.for_reading(ticket.code)} ثبت شد و برای شهروند فرستاده می‌شود."
    ticket = fresh(session, ticket)
    assert (ticket.status, ticket.result_text) == (TicketStatus.RESOLVED, result)
    work = session.scalar(select(OutboxItem).where(OutboxItem.key == f"text_back:{ticket.id}"))
    assert work is not None and work.args == [ticket.id]
    [texted] = phones.received(CITIZEN)  # the text-back job ran with the answer's
    assert result in texted


def test_a_replayed_answer_resolves_once(twilio, phones, session):
    ticket = referred(session)
    form = twilio.form(f"{ticket.code} پیگیری شد", sender=BMI_TEHRAN_HEAD)
    twilio.deliver(form)
    twilio.deliver(form)
    assert "ثبت شد" in phones.answer(form["MessageSid"], 0)
    assert len(phones.received(BMI_TEHRAN_HEAD)) == 1
    assert [e.kind for e in fresh(session, ticket).events].count("resolved") == 1


def not_yours(ticket) -> str:
    return f"شکایت {tracking.for_reading(ticket.code)} به شما یا دستگاه شما ارجاع نشده است."


def test_an_official_of_another_agency_of_the_sector_may_not(twilio, session):
    ticket = referred(session)
    before = unchanged(session, ticket)
    for sender in (BMI_HAMADAN_HEAD, BMI_HEAD):  # Bank Melli's Hamadan branches; its head office above
        for body in (f"{ticket.code} ok", f"{ticket.code} حل شد"):
            assert twilio.text(body, sender=sender) == not_yours(ticket), (sender, body)
    assert unchanged(session, ticket) == before
    assert (before[0], before[1]) == (TicketStatus.REFERRED, None)


def test_an_official_of_another_sector_may_not(twilio, session):
    ticket = referred(session)
    before = unchanged(session, ticket)
    assert twilio.text(f"{ticket.code} ok", sender=TEHRAN_URBAN_AFFAIRS_HEAD) == not_yours(ticket)
    assert unchanged(session, ticket) == before


def test_an_official_below_the_agency_may_not(twilio, session):
    ticket = referred(session, agency_code="MUN-TEH")
    before = unchanged(session, ticket)
    assert twilio.text(f"{ticket.code} ok", sender=TEHRAN_MUNICIPALITY_HEAD) == not_yours(ticket)
    assert unchanged(session, ticket) == before


def test_after_escalation_the_first_official_is_told_where_the_ticket_is_now(twilio, session, work,
                                                                           settings):
    ticket = make_ticket(session, sector="banks", province="tehran", caller=CITIZEN)
    work((ROUTING,))  # routed to Bank Melli's Tehran branches, its clock started
    ticket = fresh(session, ticket)
    check(session, ticket.id, ticket.due_at, policy(session, settings))  # the deadline passes
    ticket = fresh(session, ticket)
    assert (ticket.status, ticket.agency.code) == (TicketStatus.ESCALATED, "BMI")
    session.commit()
    before = unchanged(session, ticket)
    reply = twilio.text(f"{ticket.code} انجام شد", sender=BMI_TEHRAN_HEAD)
    assert reply == f"شکایت {tracking.for_reading(ticket.code)} اکنون در دست بانک ملی ایران است."
    assert unchanged(session, ticket) == before
    twilio.text(f"{ticket.code} ok", sender=BMI_HEAD)  # the agency that has it now may
    assert fresh(session, ticket).status == TicketStatus.ACKNOWLEDGED


def test_the_official_a_ticket_is_assigned_to_may_answer_it(twilio, session):
    assignee = official(session, BMI_HAMADAN_HEAD)
    ticket = referred(session, official=assignee)  # assigned across agencies, say by a supervisor
    twilio.text(f"{ticket.code} ok", sender=BMI_HAMADAN_HEAD)
    assert fresh(session, ticket).status == TicketStatus.ACKNOWLEDGED


def test_anything_else_from_an_official_gets_the_usage_line(twilio, session):
    for body in ["سلام", "ok", "4821930576", "پیگیری 4821930576", "راهنما", "3"]:
        reply = twilio.text(body, sender=BMI_TEHRAN_HEAD)
        assert reply.startswith("برای پاسخ بفرستید") and "\n" not in reply, body
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_an_officials_stop_words_opt_out_like_anyone_s(twilio, phones, session):
    # First match wins: opt-out words before the officials' rule.
    assert twilio.text("لغو", sender=BMI_TEHRAN_HEAD).startswith("دیگر پیامکی از ۱۲۸")
    session.rollback()
    assert session.get(OptOut, BMI_TEHRAN_HEAD).source == OptOutSource.OURS
    session.commit()
    assert twilio.text("شروع", sender=BMI_TEHRAN_HEAD).startswith("پیامک‌های سامانه ۱۲۸ دوباره")
    assert twilio.text("STOP", sender=BMI_HEAD) == ""  # Twilio's word: Twilio confirms it
    session.rollback()
    assert session.get(OptOut, BMI_HEAD).source == OptOutSource.TWILIO
    assert session.get(OptOut, BMI_TEHRAN_HEAD) is None
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_a_resolved_ticket_cannot_be_acknowledged(twilio, session):
    ticket = referred(session)
    twilio.text(f"{ticket.code} انجام شد", sender=BMI_TEHRAN_HEAD)
    reply = twilio.text(f"{ticket.code} ok", sender=BMI_TEHRAN_HEAD)
    assert reply == f"شکایت {tracking.for_reading(ticket.code)} در وضعیت «پاسخ داده شده» است و این پاسخ را نمی‌پذیرد."
    assert fresh(session, ticket).result_text == "انجام شد"


def test_an_unknown_or_mistyped_code(twilio, session):
    code = "123456789" + tracking.check_digit("123456789")
    assert twilio.text(f"{code} ok", sender=BMI_TEHRAN_HEAD) == f"شکایتی با کد {tracking.for_reading(code)} پیدا نشد."
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    assert twilio.text(f"{wrong} ok", sender=BMI_TEHRAN_HEAD).startswith("این کد پیگیری درست نیست")


def test_an_inactive_official_is_an_ordinary_citizen(twilio, session):
    head = official(session, BMI_TEHRAN_HEAD)
    head.active = False
    session.commit()
    assert "کد پیگیری" in twilio.text("سلام", sender=BMI_TEHRAN_HEAD)
