"""The ticket list's tools: full-text search with marked words, subject and assignee columns,
ordering, saved filters, and bulk actions for supervisors."""

import re
from datetime import timedelta
from urllib.parse import quote

from models import actions
from models.base import utcnow
from models.persian import persian_digits
from models.saved_filters import SavedFilter
from tests.console.conftest import referred, reload


def codes(html: str) -> list[str]:
    return re.findall(r'<tr data-code="(\d+)"', html)


def listed(client, query: str = "") -> str:
    return client.get(f"/console/tickets?{query}").get_data(as_text=True)


def test_persian_words_typed_on_an_arabic_keyboard_find_the_complaint_and_are_marked(client, session, login):
    found = referred(session, "MUN-TEH", text="کارمندان باجهٔ ۳ دو ساعت نیامدند")
    referred(session, "MUN-TEH", caller="09120001111", text="نانوایی بسته بود")
    login("sara")
    html = listed(client, "q=" + quote("كارمند باجه"))
    assert codes(html) == [found.code]
    assert "<mark>کارمندان</mark> <mark>باجهٔ</mark> ۳ دو ساعت نیامدند" in html
    assert 'class="subject">سایر موارد: کارمندان باجهٔ ۳ دو ساعت نیامدند' in html
    assert codes(listed(client, "q=" + quote("اداره"))) == []
    assert codes(listed(client, f"q={found.code}")) == [found.code]  # a code is still a code


def test_search_ranks_and_stays_within_what_an_inspector_sees(client, session, login):
    once = referred(session, "MUN-TEH", text="تأخیر در پاسخ")
    often = referred(session, "MUN-TEH", caller="09120001111", text="تأخیر، تأخیر و باز هم تأخیر")
    referred(session, "BMI-TEH", caller="09120002222", text="تأخیر بانک")
    login("reza")  # MUN-TEH's inspector: the bank's ticket is not theirs
    assert codes(listed(client, "q=" + quote("تاخير"))) == [often.code, once.code]
    assert codes(listed(client, "q=" + quote("تاخير") + "&sort=registered")) == [once.code, often.code]


def test_a_note_and_a_result_are_searched_and_their_words_shown(client, session, login, post):
    ticket = referred(session, "MUN-TEH", text="شکایت از شعبه")
    login("sara")
    post(f"/console/tickets/{ticket.code}/note", {"note": "با رئیس شعبه هماهنگ شد"},
         page=f"/console/tickets/{ticket.code}")
    html = listed(client, "q=" + quote("رييس"))
    assert codes(html) == [ticket.code] and "با <mark>رئیس</mark> شعبه هماهنگ شد" in html


def test_ordered_by_deadline_or_status(client, session, login):
    now = utcnow()
    soon = referred(session, "MUN-TEH", deadline=timedelta(hours=1), at=now - timedelta(minutes=5))
    later = referred(session, "MUN-TEH", caller="09120001111", deadline=timedelta(hours=2))
    answered = referred(session, "MUN-TEH", caller="09120002222")
    actions.resolve(session, answered, "انجام شد", actor="user:sara")
    login("sara")
    assert codes(listed(client, "sort=due"))[:2] == [soon.code, later.code]
    assert codes(listed(client, "sort=-due"))[0] == later.code
    assert codes(listed(client, "sort=status")) == [later.code, soon.code, answered.code]
    assert codes(listed(client, "sort=bogus")) == [answered.code, later.code, soon.code]  # newest first


def test_saved_filters_are_each_users_own(client, session, login, post, app, person):
    referred(session, "MUN-TEH")
    login("sara")
    post("/console/filters", {"name": "باز تهران", "query": "status=open&agency=MUN-TEH&page=3&junk=1"},
         page="/console/tickets")
    html = listed(client)
    assert 'data-saved="باز تهران"' in html and "?status=open&amp;agency=MUN-TEH" in html
    [kept] = session.query(SavedFilter).all()
    session.commit()
    assert kept.query == "status=open&agency=MUN-TEH"  # the page and unknown arguments left out
    other = app.test_client()
    login("reza", on=other)
    assert 'data-saved=' not in other.get("/console/tickets").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', other.get("/console/tickets").get_data(as_text=True))
    assert other.post(f"/console/filters/{kept.id}/delete", data={"csrf_token": token.group(1)}).status_code == 404
    post(f"/console/filters/{kept.id}/delete", page="/console/tickets")
    assert 'data-saved=' not in listed(client)


def test_bulk_acknowledge_and_reassign_are_for_supervisors(client, session, login, post, app):
    first, second = referred(session, "MUN-TEH"), referred(session, "MUN-TEH", caller="09120001111")
    answered = referred(session, "MUN-TEH", caller="09120002222")
    actions.resolve(session, answered, "انجام شد", actor="user:sara")
    login("sara")
    html = listed(client)
    assert 'form="bulk"' in html
    client.post("/console/tickets/bulk", data={
        "do": "acknowledge", "codes": [first.code, answered.code],
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)})
    assert reload(session, first).status == "acknowledged" and reload(session, answered).status == "resolved"
    done = f"۱ شکایت انجام شد؛ ۱ شکایت در وضعیتی بود که این کار را نمی‌پذیرفت ({persian_digits(answered.code)})"
    assert done in listed(client)
    post("/console/tickets/bulk", {"do": "reassign", "target": "TAX-TEH", "codes": second.code},
         page="/console/tickets")
    assert reload(session, second).agency.code == "TAX-TEH"
    inspector = app.test_client()
    login("reza", on=inspector)
    assert 'form="bulk"' not in inspector.get("/console/tickets").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', inspector.get("/console/tickets").get_data(as_text=True))
    refused = inspector.post("/console/tickets/bulk", data={"do": "acknowledge", "codes": first.code,
                                                             "csrf_token": token.group(1)})
    assert refused.status_code == 403


def test_on_a_phone_the_filters_fold_behind_one_button(client, session, login):
    login("sara")
    html = listed(client)
    assert '<button type="button" class="filters-toggle" aria-controls="filters" aria-expanded="false">' in html
    response = client.get("/console/static/console.css")
    css = response.get_data(as_text=True)
    response.close()
    assert ".filters { display: none;" in css and ".filters.open { display: grid; }" in css
