"""Every figure of a report card leads to the tickets behind it: the list drilled to a card's
figure holds exactly as many tickets as the figure counts (on the database the suite runs
on), and the summaries' figures do the same for the country and a province."""

import csv
import io
import re

import pytest

from models import lifecycle, reopen
from models.deadlines import policy
from models.reports import cards
from models.reports.periods import parse
from models.reports.samples import compute
from models.tickets import TicketStatus as S
from tests.builders import agency
from tests.console.conftest import referred
from tests.console.test_report_cards import EXPECTED, THREE_HOURS, data_set, rolled_up, utc  # noqa: F401

# Complaints per card with a first answer and with an escalation, from the data set's table
# (the figures keep medians and escalation events, not these counts).
ANSWERED = {("MUN-TEH", "1405-Q2"): 3, ("MUN-TEH", "1405-Q3"): 2, ("MUN-TEH", "1405"): 5, ("MUN-HAM", "1405"): 2}
ESCALATED = {("MUN-TEH", "1405-Q2"): 1, ("MUN-TEH", "1405-Q3"): 1, ("MUN-TEH", "1405"): 2, ("MUN-HAM", "1405"): 1}


def listed(client, **args) -> int:
    html = client.get("/console/tickets", query_string=args).get_data(as_text=True)
    return len(re.findall(r'<tr data-code="', html))


@pytest.mark.parametrize("code, key", sorted(ANSWERED))
def test_each_figure_lists_as_many_tickets_as_it_counts(client, login, data_set, code, key):
    complaints, in_time, resolved, _esc, _first, _result, surveys, _sum, satisfied = EXPECTED[(code, key)]
    login("sara")
    expected = {"complaints": complaints, "in_time": in_time, "late": complaints - in_time, "resolved": resolved,
                "surveyed": surveys, "satisfied": satisfied, "answered": ANSWERED[(code, key)],
                "escalated": ESCALATED[(code, key)], "reopened": 0}
    got = {figure: listed(client, period=key, card=code, figure=figure) for figure in expected}
    assert got == expected


def test_the_card_pages_link_each_figure_to_its_list(client, login, rolled_up):
    login("sara")
    html = client.get("/console/reports?period=1405-Q3").get_data(as_text=True)
    card = re.search(r'<article class="card report" data-agency="MUN-TEH">(.*?)</article>', html, re.S).group(1)
    link = re.search(r'data-figure="share_in_time"><a href="([^"]+)"', card).group(1).replace("&amp;", "&")
    assert "period=1405-Q3" in link and "card=MUN-TEH" in link and "figure=in_time" in link
    assert len(re.findall(r'<tr data-code="', client.get(link).get_data(as_text=True))) == 1  # E
    drilled = client.get(link).get_data(as_text=True)
    assert "پاسخ در مهلت" in re.search(r'<p class="drill" data-drill>(.*?)</p>', drilled, re.S).group(1)
    public = rolled_up.get("/reports?period=1405-Q3").get_data(as_text=True)
    assert "/console/tickets" not in public  # the public page has no way into the tickets


def test_the_summaries_count_the_country_and_each_province(client, login, rolled_up):
    login("sara")
    html = client.get("/console/reports?period=1405-Q3").get_data(as_text=True)
    country = re.search(r'data-summary="country">(.*?)</section>', html, re.S).group(1)
    assert 'data-sum="complaints"><a' in country
    total = 3 + 1 + 2  # MUN-TEH, BMI-TEH, MUN-HAM in Q3
    assert re.search(r'data-sum="complaints"><a[^>]*>([^<]+)<', country).group(1) == "۶"
    assert listed(client, period="1405-Q3", figure="complaints") == total
    tehran = re.search(r'<tr data-region="tehran">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-sum="complaints"><a[^>]*>([^<]+)<', tehran).group(1) == "۴"
    assert listed(client, period="1405-Q3", region="tehran", figure="complaints") == 4
    assert listed(client, period="1405-Q3", region="hamadan", figure="complaints") == 2
    assert listed(client, period="1405-Q3", region="national", figure="complaints") == 0
    public = rolled_up.get("/reports?period=1405-Q3").get_data(as_text=True)
    assert 'data-about' in public and "۱۲۸" in public and 'data-sum="complaints">۶<' in public


def test_reopened_complaints_are_counted_alike_on_the_card_and_in_the_list(client, login, session, runtime):
    at = utc(2026, 10, 3, 8, 0)
    ticket = referred(session, "MUN-TEH", at=at, caller="09121000071")
    ticket.official = agency(session, "MUN-TEH").officials[0]
    lifecycle.move(ticket, S.RESOLVED, at=at + THREE_HOURS / 3)
    session.commit()
    reopen.reopen(session, ticket, "نپذیرفت", actor="user:sara", rules=policy(session, runtime.settings),
                  now=at + THREE_HOURS)
    q3 = parse("1405-Q3")
    figures = compute(session, q3, THREE_HOURS)[(agency(session, "MUN-TEH").id, q3)]
    session.commit()
    assert (figures.complaints, figures.reopened, figures.resolved, figures.answered_in_time) == (1, 1, 0, 0)
    exported = cards.to_csv(cards.build(session, q3, compute(session, q3, THREE_HOURS), minimum=10))
    [mun] = [row for row in csv.DictReader(io.StringIO(exported)) if row["agency"] == "MUN-TEH"]
    assert mun["reopened"] == "1"
    login("sara")
    assert listed(client, period="1405-Q3", card="MUN-TEH", figure="reopened") == 1
    assert listed(client, period="1405-Q3", card="MUN-TEH", figure="resolved") == 0

