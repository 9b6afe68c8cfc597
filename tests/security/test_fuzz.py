"""Random bytes at the web app's doors, on whichever database the suite runs on: the signed SMS
webhooks (signed, so the bytes reach the views) and the console's query strings and paths.
Whatever comes, the answer is never a fault (5xx).

Hypothesis makes the inputs; the runs are derandomized (the same examples every time) and
small, so the suite stays fast and a failure is reproducible.
"""

from __future__ import annotations

from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings as examples, strategies as st
from twilio.request_validator import RequestValidator
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from tests.console.conftest import CONSOLE_BASE_URL
from tests.sms.webhooks import INBOUND, STATUS

FUZZ = examples(derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
"""The same examples on every run, none remembered between runs, no time limit per example
(a webhook commits and queues its work), and the fixtures kept across a test's examples."""
TWILIO_FIELDS = ["MessageSid", "SmsSid", "From", "To", "Body", "NumMedia", "MediaUrl0", "MediaContentType0",
                 "MediaUrl1", "AccountSid", "MessageStatus", "ErrorCode", "NumSegments"]
FORM = "application/x-www-form-urlencoded"


def encoded(pairs: list[tuple[bytes, bytes]]) -> bytes:
    """Form fields of any bytes, percent-encoded as a form body."""
    return "&".join(f"{quote_from_bytes(k)}={quote_from_bytes(v)}" for k, v in pairs).encode()


NASTY = [b"\x00", b"a\x00b", b"9" * 25, b"2147483648", "\u00b2".encode(), b"-1", b"0", "\u06f1\u06f2".encode(),
         b"%", b"\xff\xfe", b"x" * 300, "\u202e\ufeff".encode()]
"""Bytes that have made web apps fault: NUL (PostgreSQL refuses it in text), numbers past an
integer column, digits int() refuses ("\u00b2"), broken UTF-8, long values, bidi controls."""
some_bytes = st.one_of(st.binary(max_size=60), st.sampled_from(NASTY),
                       st.text(max_size=30).map(lambda t: t.encode("utf-8", "surrogatepass")))
digits = st.from_regex(rb"\A[0-9]{1,30}\Z")


def form_of(names: list[str]):
    """Each of `names` present or not, with any bytes, and a few unknown fields besides."""
    known = st.fixed_dictionaries({}, optional={name.encode(): some_bytes for name in names})
    extra = st.dictionaries(st.binary(min_size=1, max_size=12), some_bytes, max_size=3)
    return st.tuples(known, extra).map(lambda both: [*both[0].items(), *both[1].items()])


fields = form_of(TWILIO_FIELDS)
queries = st.one_of(some_bytes, digits).map(quote_from_bytes)


@examples(FUZZ, max_examples=100)
@given(pairs=fields, path=st.sampled_from([INBOUND, STATUS]), query=queries)
def test_signed_webhooks_of_random_bytes_never_fault(client, settings, pairs, path, query):
    body = encoded(pairs)
    query_string = f"ref={query}" if path == STATUS else ""
    # Signed over the fields as the app will read them (werkzeug's decoding), as Twilio signs.
    seen = Request(EnvironBuilder(path=path, method="POST", data=body, content_type=FORM).get_environ()).form
    url = CONSOLE_BASE_URL + path + (f"?{query_string}" if query_string else "")
    signature = RequestValidator(settings.twilio.auth_token).compute_signature(url, seen)
    answer = client.post(path, data=body, content_type=FORM, query_string=query_string,
                         headers={"X-Twilio-Signature": signature})
    assert answer.status_code in (200, 204, 400), answer.get_data(as_text=True)[:500]


CONSOLE_PAGES = ["/console/tickets", "/console/calls", "/console/audit", "/console/reports",
                 "/console/reports.csv", "/reports", "/reports.csv", "/console/admin/users",
                 "/console/account/password", "/console/login"]
CONSOLE_PATHS = ["/console/tickets/", "/console/reports/", "/console/replay/voice/", "/console/replay/media/",
                 "/console/replay/call/"]
LIST_ARGS = ["q", "status", "agency", "province", "via", "overdue", "since", "until", "page", "rows",
             "period", "user", "ticket", "without", "next", "back"]
query_pairs = form_of(LIST_ARGS)
segments = st.one_of(some_bytes, digits)


@pytest.mark.parametrize("who", ["sara", "reza"])  # a supervisor, an inspector
@examples(FUZZ, max_examples=65)
@given(page=st.sampled_from(CONSOLE_PAGES), pairs=query_pairs, segment=segments,
       tail=st.sampled_from(CONSOLE_PATHS))
def test_the_console_with_random_query_strings_and_paths_never_faults(client, login, who, page, pairs, segment,
                                                                      tail):
    if client.get_cookie("session") is None:
        login(who)
    for path in (page, tail + quote_from_bytes(segment, safe="")):
        answer = client.get(path, query_string=encoded(pairs).decode())
        answer.close()
        assert answer.status_code < 500, (path, pairs)
