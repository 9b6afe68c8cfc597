"""Complaints by phone, end to end: a real FastAGI socket, pyst2, the peer playing Asterisk."""

from __future__ import annotations

import wave

from sqlalchemy import select

from ivr.peer.dial import PlacedCall
from models.calls import Call
from models.messages import Message, Purpose
from models.settings import Settings
from models.tickets import Ticket


def call_row(session, placed: PlacedCall) -> Call:
    """The Call row of a placed call, fresh from the database."""
    session.rollback()
    return session.scalars(select(Call).where(Call.uniqueid == placed.uniqueid)).one()


def heard(placed: PlacedCall) -> list[str]:
    """The prompts played, by catalog id."""
    return [name.removeprefix("foad/") for name in placed.intake.heard]


def test_tehran_landline_complaint_infers_the_province_and_reads_the_code_twice(dial, session, settings: Settings):
    placed = dial("02188776655", "1 3 2 # 1")

    row = call_row(session, placed)
    ticket = row.ticket
    assert ticket is not None and ticket.via == "call"
    assert (ticket.caller, ticket.caller_kind, ticket.province_code) == ("+982188776655", "ir_landline", "tehran")
    assert (ticket.sector_code, ticket.category_code, ticket.language) == ("health_insurance", "absence", "fa")
    assert "province_ask" not in heard(placed)
    assert placed.digits_said == [ticket.code, ticket.code]
    assert "code_by_sms" not in heard(placed)  # a landline cannot read a text
    assert session.scalars(select(Message).where(Message.ticket_id == ticket.id)).all() == []
    assert row.progress == "submitted" and row.voice_path == ticket.voice_path


def test_the_recording_is_a_real_telephone_wav_beside_the_whole_call_recording(dial, session, settings: Settings):
    placed = dial("02188776655", "1 3 2 #@12 1")

    row = call_row(session, placed)
    with wave.open(str(settings.recordings_dir / row.ticket.voice_path)) as voice:
        assert (voice.getframerate(), voice.getnchannels(), voice.getsampwidth()) == (8000, 1, 2)
        assert voice.getnframes() == 12 * 8000
    assert row.recording_path == f"calls/{placed.uniqueid}.wav"
    assert (settings.recordings_dir / row.recording_path).is_file()
    assert row.hangup_cause == "16" and row.ended_at is not None
    assert row.duration_s == int(placed.intake.elapsed) > 12
    assert [e.kind for e in row.ticket.events] == ["registered", "call_ended"]


def test_irancell_mobile_keys_its_province_and_is_told_the_code_comes_by_sms(dial, session):
    placed = dial("09351234567", "1 1 1 81 #@20 1")

    ticket = call_row(session, placed).ticket
    assert (ticket.caller_kind, ticket.province_code, ticket.sector_code) == ("ir_mobile", "hamadan", "municipality")
    assert "province_ask" in heard(placed) and "code_by_sms" in heard(placed)
    texts = session.scalars(select(Message).where(Message.ticket_id == ticket.id)).all()
    assert [(m.number, m.purpose) for m in texts] == [("+989351234567", Purpose.TRACKING_CODE)]


def test_a_mistyped_province_code_is_asked_again(dial, session):
    placed = dial("09121234567", "1 1 1 99 21 # 1")

    assert heard(placed).count("province_ask") == 2 and "province_invalid" in heard(placed)
    assert call_row(session, placed).ticket.province_code == "tehran"


def test_uk_caller_on_the_overseas_line_chooses_english(dial, session):
    placed = dial("+447700900123", "2 1 2 5 # 1", to="+989372840000")

    row = call_row(session, placed)
    ticket = row.ticket
    assert (row.line, row.language) == ("overseas", "en")
    assert (ticket.language, ticket.caller_kind, ticket.caller_country) == ("en", "foreign", "GB")
    assert ticket.province_code is None and "province_ask" not in heard(placed)
    assert placed.intake.variables["CHANNEL(language)"] == "en"
    assert heard(placed)[:2] == ["language_menu", "welcome"]
    message = session.scalars(select(Message).where(Message.ticket_id == ticket.id)).one()
    assert message.number == "+447700900123" and message.body.startswith("Your complaint to 128")


def test_overseas_caller_who_waits_hears_english_offered_in_english(dial, session):
    placed = dial("+447700900123", "- 1 1 1 5 # 1", to="+989372840000")

    assert placed.intake.exchanges[1][0] == 'SET VARIABLE "CHANNEL(language)" "en"'
    assert call_row(session, placed).ticket.language == "fa"  # then pressed 1: Persian


def test_listening_then_recording_again_keeps_the_second_take(dial, session, settings: Settings):
    placed = dial("09121234567", "1 2 3 21 #@5 2 3 #@9 1")

    ticket = call_row(session, placed).ticket
    assert placed.intake.heard.count(str(settings.recordings_dir / "voice" / f"{placed.uniqueid}-1")) == 1
    assert ticket.voice_path == f"voice/{placed.uniqueid}-2.wav"


def test_star_repeats_the_menu_without_counting_as_a_failure(dial, session):
    placed = dial("02188776655", "* * 7 7 1 3 2 # 1")

    assert heard(placed).count("main_menu") == 5
    assert call_row(session, placed).ticket is not None


def test_silence_replays_the_menu_then_says_goodbye(dial, session):
    placed = dial("09121234567", "")

    assert heard(placed) == ["welcome", "main_menu", "no_choice", "main_menu", "no_choice", "main_menu",
                             "goodbye_no_choice"]
    assert placed.intake.sent[-1] == "HANGUP"
    row = call_row(session, placed)
    assert (row.progress, row.ticket) == ("menu", None)


def test_wrong_keys_are_told_so(dial, session):
    placed = dial("09121234567", "5 6 7")

    assert heard(placed).count("invalid_choice") == 2 and heard(placed)[-1] == "goodbye_no_choice"


def test_silence_while_recording_asks_again(dial, session):
    placed = dial("09121234567", "1 1 1 21 - #@6 1")

    assert "nothing_heard" in heard(placed)
    assert call_row(session, placed).ticket.voice_path.endswith("-2.wav")


def test_blocked_number_hears_a_short_notice_and_the_call_ends(dial, session):
    from models.blocklist import block

    block(session, "+989121234567", reason="nuisance")
    session.commit()
    placed = dial("09121234567", "1 3 2 # 1")

    assert heard(placed) == ["blocked_notice"]
    assert placed.intake.sent[-1] == "HANGUP"
    row = call_row(session, placed)
    assert (row.progress, row.ticket) == ("blocked", None)
    assert session.scalars(select(Ticket)).all() == []


def test_withheld_number_can_complain(dial, session):
    placed = dial(None, "1 4 3 0 # 1")

    ticket = call_row(session, placed).ticket
    assert (ticket.caller, ticket.caller_kind, ticket.province_code) == (None, "withheld", None)


def test_too_many_complaints_in_an_hour_keeps_the_recording_on_the_call(dial, session, runtime):
    from dataclasses import replace

    runtime.settings = replace(runtime.settings, max_complaints_per_hour=1)
    first = dial("09121234567", "1 3 2 21 # 1")
    second = dial("09121234567", "1 3 2 21 # 1")

    assert call_row(session, first).ticket is not None
    row = call_row(session, second)
    assert row.ticket is None and row.voice_path == f"voice/{second.uniqueid}-1.wav"
    assert row.progress == "review"
    assert heard(second)[-1] == "too_many"


def test_a_missing_prompt_is_not_taken_for_a_hangup(dial, session, caplog):
    from ivr.peer.sounds import Sounds

    placed = dial("09121234567", "1 3 2", sounds=Sounds(missing=frozenset({"foad/main_menu"})))

    commands = placed.intake.sent
    assert commands.count("CHANNEL STATUS") == 3  # asked after each -1, and the line was still up
    assert heard(placed)[-1] == "goodbye_no_choice" and commands[-1] == "HANGUP"
    assert "sound missing on the Asterisk side" in caplog.text
    assert call_row(session, placed).progress == "menu"


def test_two_calls_at_once_each_get_their_own_ticket(dial, session):
    import threading
    import time

    barrier, spans, results = threading.Barrier(2), {}, {}

    def place(name: str, caller: str, keys: str) -> None:
        barrier.wait()
        start = time.monotonic()
        results[name] = dial(caller, keys, pace=0.01)
        spans[name] = (start, time.monotonic())

    threads = [threading.Thread(target=place, args=("a", "02188776655", "1 3 2 # 1")),
               threading.Thread(target=place, args=("b", "09351234567", "1 1 1 81 # 1"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    (a0, a1), (b0, b1) = spans["a"], spans["b"]
    assert a0 < b1 and b0 < a1  # they overlapped
    tickets = {name: call_row(session, placed).ticket for name, placed in results.items()}
    assert tickets["a"].code != tickets["b"].code
    assert (tickets["a"].province_code, tickets["b"].province_code) == ("tehran", "hamadan")
    assert results["a"].digits_said[0] == tickets["a"].code and results["b"].digits_said[0] == tickets["b"].code


def test_a_province_without_agencies_in_the_directory_is_asked_again(dial, session):
    placed = dial("09121234567", "1 1 1 31 21 # 1")  # 31 is Isfahan: no agency of it in the sample

    assert heard(placed).count("province_ask") == 2 and "province_invalid" in heard(placed)
    assert call_row(session, placed).ticket.province_code == "tehran"


def test_a_province_the_directory_gains_can_be_keyed(dial, session):
    from tests.builders import agency

    agency(session, "MUN-TEH").province_code = "isfahan"  # the directory now has an Isfahan unit
    session.commit()
    placed = dial("09121234567", "1 1 1 31 # 1")

    assert "province_invalid" not in heard(placed)
    assert call_row(session, placed).ticket.province_code == "isfahan"
