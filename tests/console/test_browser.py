"""The console in a real browser (headless Chromium): log in, list, ticket, replay, resolve, cards."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from models import actions
from models.base import utcnow
from models.blocklist import is_blocked
from models.calls import Call
from models.surveys import SurveyAnswer
from models.tickets import Via
from models.users import Playback
from tests.console.browser import chromium, screenshot, site  # noqa: F401
from tests.console.conftest import PASSWORD, received, referred, reload, survey_time, write_wav
from worker.queues import MAINTENANCE



@pytest.fixture
def settings(settings):
    """The console's settings with the list refreshing every half second (20 s in service)."""
    return replace(settings, console_refresh=timedelta(milliseconds=500))


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="fa-IR", timezone_id="Asia/Tehran",
                                   viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def tickets(session, settings):
    """An overdue call with its recordings, an SMS still in time, and one for a bank."""
    now = utcnow()
    call = referred(session, "MUN-TEH", via=Via.CALL, caller="02188776655", text=None,
                    voice_path="voice/7.7.wav", at=now - timedelta(hours=4))
    write_wav(settings.recordings_dir / "voice/7.7.wav", seconds=2)
    write_wav(settings.recordings_dir / "calls/7.7.wav", seconds=6)
    session.add(Call(uniqueid="7.7", line="128", ticket=call, recording_path="calls/7.7.wav",
                     duration_s=6))
    sms = referred(session, "MUN-TEH", caller="09121234567", at=now - timedelta(minutes=30))
    bank = referred(session, "BMI-TEH", caller="09351112233", at=now - timedelta(hours=1))
    session.commit()
    return call, sms, bank


def log_in(page, site: str, person, name: str = "sara") -> None:
    person(name)
    page.goto(f"{site}/console/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/console/tickets")


def test_log_in_filter_the_list_and_open_a_ticket(page, site, person, tickets):
    call, sms, bank = tickets
    log_in(page, site, person)
    assert page.locator("tbody#rows tr[data-code]").count() == 3
    screenshot(page, "ticket-list")
    page.select_option("select[name=agency]", "MUN-TEH")
    page.check("input[name=overdue]")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r"overdue=1"))
    assert page.locator("tbody#rows tr[data-code]").all_inner_texts() and \
        [r.get_attribute("data-code") for r in page.locator("tbody#rows tr[data-code]").all()] == [call.code]
    page.click(f"tr[data-code='{call.code}'] a")
    page.wait_for_url(re.compile(rf"/console/tickets/{call.code}\?back="))
    assert page.locator("audio").count() == 2
    screenshot(page, "ticket")
    page.click("p.back a")  # back to the list as it was filtered
    page.wait_for_url(re.compile(r"/console/tickets\?.*overdue=1"))
    assert [r.get_attribute("data-code") for r in page.locator("tbody#rows tr[data-code]").all()] == [call.code]
    assert page.locator("select[name=agency]").input_value() == "MUN-TEH"


def test_countdowns_tick_without_a_reload_and_breached_ones_are_red(page, site, person, session, tickets):
    call, sms, _bank = tickets
    later = referred(session, "MUN-HAM", caller="09120001111", deadline=timedelta(days=2, hours=1))
    log_in(page, site, person)
    running = page.locator(f"tr[data-code='{sms.code}'] .countdown")
    first = running.inner_text()
    page.wait_for_function("(t) => document.querySelector(\"tr[data-code='\" + t[0] + \"'] .countdown\").textContent !== t[1]",
                           arg=[sms.code, first])
    assert "مانده" in running.inner_text() and "breached" not in running.get_attribute("class")
    late = page.locator(f"tr[data-code='{call.code}'] .countdown")
    assert "گذشته" in late.inner_text() and "breached" in late.get_attribute("class")
    # Queried and read in one step: the list's refresh replaces its rows, and a row read after it
    # was replaced has no computed style.
    color = page.evaluate("(code) => getComputedStyle(document.querySelector(`tr[data-code='${code}'] .countdown`)).color",
                          call.code)
    assert color == "rgb(179, 38, 30)"  # --danger
    # A business-hours deadline two days off reads in days, not as "۴۹:۰۰:۰۰".
    assert page.locator(f"tr[data-code='{later.code}'] .countdown").inner_text().startswith("۲ روز و ۰:")


def test_a_recording_plays_and_seeks_with_206_answers(page, site, person, session, tickets):
    call, _sms, _bank = tickets
    statuses: list[tuple[str, int]] = []
    page.on("response", lambda r: statuses.append((r.url, r.status)) if "/replay/" in r.url else None)
    log_in(page, site, person)
    page.goto(f"{site}/console/tickets/{call.code}")
    player = page.locator("audio.call-recording")
    player.evaluate("a => a.play()")
    page.wait_for_function("() => document.querySelector('audio.call-recording').readyState >= 1")
    assert player.evaluate("a => a.duration") == pytest.approx(6.0, abs=0.1)
    seeked = player.evaluate("""a => new Promise(done => {
        a.addEventListener('seeked', () => done(a.currentTime), {once: true});
        a.currentTime = 4.5; })""")
    assert seeked == pytest.approx(4.5, abs=0.1)
    page.wait_for_function("() => !document.querySelector('audio.call-recording').paused")
    replay = [status for url, status in statuses if "/replay/call/" in url]
    assert replay and 206 in replay and set(replay) <= {200, 206}
    rows = session.scalars(select(Playback)).all()
    session.commit()
    assert [(p.user.name, p.kind, p.target) for p in rows] == [("sara", "call", "calls/7.7.wav")]


def test_resolve_a_ticket_and_the_result_sms_reaches_the_twilio_server(
        page, site, person, session, runtime, tickets, work, twilio_api):
    _call, sms, _bank = tickets
    log_in(page, site, person, "reza")
    page.goto(f"{site}/console/tickets/{sms.code}")
    assert "*****" in page.locator(".facts .number").inner_text()  # masked for inspectors
    page.fill("textarea[name=result]", "با کارمند برخورد شد؛ از شما سپاسگزاریم")
    page.click("button[value=resolve]")
    page.wait_for_selector(".flash.ok")
    assert "پاسخ داده شده" in page.locator(".ticket-head .status").inner_text()
    reload(session, sms)
    assert sms.status == "resolved" and sms.result_text == "با کارمند برخورد شد؛ از شما سپاسگزاریم"

    assert work()  # the real jobs, sending through the local Twilio-compatible server
    [result] = received(twilio_api, "+989121234567")
    assert "با کارمند برخورد شد؛ از شما سپاسگزاریم" in result
    page.reload()
    thread = page.locator(".thread .msg.out")
    assert thread.count() == 1 and "با کارمند برخورد شد" in thread.first.inner_text()
    assert "در صف اپراتور · نتیجه" in thread.first.inner_text()  # Twilio took it: "queued"
    assert survey_time(runtime) and work()
    assert len(received(twilio_api, "+989121234567")) == 2
    page.reload()
    assert "نظرسنجی" in page.locator(".thread .msg.out").last.inner_text()
    screenshot(page, "ticket-resolved")


def test_report_cards_and_an_agencys_card(page, site, person, session, work):
    summer = datetime(2026, 7, 1, 6, 0, tzinfo=timezone.utc)  # 10 Tir 1405: summer, 1405-Q2
    answered = referred(session, "MUN-TEH", at=summer)
    referred(session, "MUN-TEH", caller="09120001111", at=summer + timedelta(days=3))
    referred(session, "BMI-TEH", caller="09351112233", at=summer + timedelta(days=5))
    actions.resolve(session, answered, "پرونده انجام شد", actor="user:sara", at=summer + timedelta(hours=1))
    session.add(SurveyAnswer(ticket_id=answered.id, score=5))
    session.commit()
    log_in(page, site, person)
    page.goto(f"{site}/console/reports?period=1405-Q2")
    assert page.locator(".as-of[data-state=computing]").is_visible()  # the page asked a worker
    assert work((MAINTENANCE,))
    page.reload()
    assert "ارقام تا" in page.locator(".as-of").inner_text()
    cards = page.locator("article.report")
    assert cards.count() == 2  # MUN-TEH and BMI-TEH had complaints; the others a row of 0
    assert page.locator("article.report svg.chart").count() == 2
    assert page.locator("table.quiet tr[data-agency='TAX-TEH'] [data-figure=complaints]").inner_text() == "۰"
    mun = page.locator("article[data-agency='MUN-TEH']")
    assert mun.locator("[data-figure=complaints]").inner_text() == "۲"
    assert mun.locator("[data-figure=share_resolved]").inner_text() == "۵۰٪"
    assert mun.locator("[data-figure=share_satisfied]").inner_text() == "۱۰۰٪"
    screenshot(page, "report-cards")
    mun.locator("h2 a").click()
    page.wait_for_url(f"{site}/console/reports/MUN-TEH?period=1405-Q2")
    season = page.locator("article[data-period='1405-Q2']")
    assert season.locator("[data-figure=complaints]").inner_text() == "۲"
    assert "بدون رتبه: کمتر از ۱۰ شکایت" in season.locator(".rank").inner_text()
    assert page.locator("article[data-period='1405-04'] svg.chart").count() == 1
    screenshot(page, "agency-card")
    page.goto(f"{site}/reports?period=1405-Q2")  # the public page, same figures, no log-in needed
    assert page.locator("article[data-agency='MUN-TEH'] [data-figure=complaints]").inner_text() == "۲"


def test_blocking_a_number_asks_first(page, site, person, session, tickets):
    _call, _sms, bank = tickets
    log_in(page, site, person)
    page.goto(f"{site}/console/tickets/{bank.code}")
    asked, sent = [], []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("button[value=nuisance]")
    assert asked == ["این شکایت مزاحمت است و شمارهٔ آن مسدود می‌شود. ادامه می‌دهید؟"]
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click("button[value=nuisance]")
    page.wait_for_selector(".flash.ok")
    assert len(asked) == 2
    # Had the first, dismissed, click sent the form, there would be two POSTs (and the
    # ticket, closed as nuisance, would have had no button left for the second click).
    assert sent == [f"{site}/console/tickets/{bank.code}/nuisance"]
    assert reload(session, bank).status == "nuisance"
    assert is_blocked(session, "+989351112233")
    session.commit()


def test_new_tickets_appear_in_the_list_without_a_reload(page, site, person, session, tickets):
    log_in(page, site, person)
    assert page.locator("table[data-live]").get_attribute("data-refresh-ms") == "500"
    page.evaluate("() => { window.notReloaded = true; }")
    fresh = referred(session, "MUN-HAM", caller="09129998877")
    page.wait_for_selector(f"tr[data-code='{fresh.code}']")  # the page's own timer fetched it
    assert page.evaluate("() => window.notReloaded") is True
    assert page.locator("tbody#rows tr[data-code]").count() == 4
    assert page.locator("[data-total-label]").inner_text() == "۴ مورد"


def test_when_the_session_ends_the_list_says_so_instead_of_showing_the_log_in_form(page, site, person, tickets):
    log_in(page, site, person)
    refreshed = []
    page.on("response", lambda r: refreshed.append(r.status) if "rows=1" in r.url else None)
    page.context.clear_cookies()  # the session is over, as after the idle time
    ended = page.locator("#session-ended")
    ended.wait_for(state="visible")
    assert "نشست شما پایان یافت" in ended.inner_text()
    assert ended.locator("a").get_attribute("href") == "/console/login?next=/console/tickets?"
    assert 401 in refreshed and page.locator("#rows input[name=password]").count() == 0
    assert page.locator("tbody#rows tr[data-code]").count() == 3  # the rows stay as they were
    page.wait_for_timeout(1200)  # more than two rounds of the timer: it has stopped asking
    assert refreshed.count(401) == 1


def test_a_result_typed_when_the_session_ends_survives_the_log_in(page, site, person, session, tickets):
    _call, sms, _bank = tickets
    log_in(page, site, person, "reza")
    page.goto(f"{site}/console/tickets/{sms.code}")
    page.fill("textarea[name=result]", "پیش‌نویسی که نباید گم شود")
    page.context.clear_cookies()
    page.click("button[value=resolve]")
    page.wait_for_url(re.compile(r"/console/login\?next="))
    assert "آنچه نوشته بودید نگه داشته شده است" in page.locator(".flash.error").inner_text()
    page.fill("input[name=name]", "reza")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/console/tickets/{sms.code}")
    assert page.input_value("textarea[name=result]") == "پیش‌نویسی که نباید گم شود"
    assert reload(session, sms).status == "referred"
    page.click("button[value=resolve]")
    page.wait_for_selector(".flash.ok")
    assert reload(session, sms).result_text == "پیش‌نویسی که نباید گم شود"
    assert page.evaluate(f"() => sessionStorage.getItem('result-{sms.code}')") is None


def test_a_call_that_never_became_a_ticket_is_found_and_replayed(page, site, person, session, settings):
    write_wav(settings.recordings_dir / "calls/8.8.wav", seconds=4)
    write_wav(settings.recordings_dir / "voice/8.8.wav", seconds=2)
    lost = Call(uniqueid="8.8", line="128", caller="+989121234567", progress="review",
                duration_s=4, recording_path="calls/8.8.wav", voice_path="voice/8.8.wav")
    session.add(lost)
    session.commit()
    log_in(page, site, person)
    page.click("nav a[href='/console/calls']")
    page.check("input[name=without]")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"without=1"))
    row = page.locator("tr[data-call='8.8']")
    assert "بدون شکایت" in row.inner_text() and "بازشنوی پیش از ثبت" in row.inner_text()
    take = row.locator("audio.voice-take")
    take.evaluate("a => a.play()")
    page.wait_for_function("() => document.querySelector(\"tr[data-call='8.8'] audio.voice-take\").readyState >= 1")
    assert take.evaluate("a => a.duration") == pytest.approx(2.0, abs=0.1)
    screenshot(page, "calls")
    played = session.scalars(select(Playback)).all()
    session.commit()
    assert [(p.kind, p.call_id, p.ticket_id) for p in played] == [("voice", lost.id, None)]


def test_countdowns_run_on_the_servers_clock_when_the_pcs_is_wrong(page, site, person, tickets):
    _call, sms, _bank = tickets  # registered 30 minutes ago, due in three hours: 2:30 left
    page.clock.install(time=utcnow() + timedelta(hours=2))  # this PC runs two hours fast
    log_in(page, site, person)
    left = page.locator(f"tr[data-code='{sms.code}'] .countdown")
    page.wait_for_function("(el) => el.textContent.includes('مانده')", arg=left.element_handle())
    assert re.fullmatch(r"۲:(۲۹|۳۰):[۰-۹]{2} مانده", left.inner_text()), left.inner_text()


@pytest.mark.parametrize("path", ["/console/tickets", "ticket"])
def test_the_list_and_a_ticket_fit_a_phones_screen(chromium, site, person, tickets, path):
    call, _sms, _bank = tickets
    phone = chromium.new_context(locale="fa-IR", timezone_id="Asia/Tehran", viewport={"width": 375, "height": 740},
                                 is_mobile=True, has_touch=True)
    page = phone.new_page()
    try:
        log_in(page, site, person)
        if path == "ticket":
            page.goto(f"{site}/console/tickets/{call.code}")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{overflow} px wider than the screen"
        if path != "ticket":  # each row is a card whose cells say what they are
            # In one step, as the countdown's colour: the list's refresh replaces its rows.
            label = page.evaluate("(code) => getComputedStyle(document.querySelector("
                                  "`tr[data-code='${code}'] td[data-label='وضعیت']`), '::before').content", call.code)
            assert label == '"وضعیت"'
        screenshot(page, "phone-ticket" if path == "ticket" else "phone-list")
    finally:
        phone.close()
