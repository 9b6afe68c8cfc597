"""The Open311 API on the real app: an API key, the specification's example request, and
a reader that turns either format into the same Python data."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import pytest

from models import apikeys
from tests.clients import ending_transactions

API = "/open311/v2"
SPEC_EXAMPLE = (
    "api_key={key}&jurisdiction_id=city.gov&service_code={service}&lat=37.76524078&long=-122.4212043"
    "&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456"
    "&first_name=john&last_name=smith&phone=111111111&description=A+large+sinkhole+is+destroying+the+street"
    "&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg"
    "&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001"
)
"""POST Service Request's example body, word for word but for the key and the service code."""
CONTAINERS = {"services", "service_requests", "errors", "attributes", "values", "endpoints", "formats"}
SERVICE = "municipality-misconduct"


@pytest.fixture
def client(app, session):
    """The test client; the test's own transaction ends before each request."""
    return ending_transactions(app, session)


@pytest.fixture
def api_key(session) -> str:
    """A live key of an app."""
    _row, key = apikeys.add_key(session, "fixmystreet")
    return key


@pytest.fixture
def post(client, api_key):
    """POST requests.<fmt> with the key and `fields` (a form, url-encoded as the spec shows)."""

    def _post(fmt: str = "json", headers: dict[str, str] | None = None, **fields: str):
        body = "&".join(f"{quote(k, safe='[]')}={quote(v)}" for k, v in {"api_key": api_key, **fields}.items())
        return client.post(f"{API}/requests.{fmt}", data=body, headers=headers or {},
                           content_type="application/x-www-form-urlencoded; charset=utf-8")

    return _post


def read(response) -> Any:
    """The document of an answer in either format, as the Spark convention maps it to JSON,
    with every value a string (or None for an empty element) so the two formats compare."""
    if response.mimetype == "application/json":
        assert response.content_type == "application/json; charset=utf-8"
        return _strings(response.get_json())
    assert response.content_type == "text/xml; charset=utf-8"
    assert response.data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ElementTree.fromstring(response.data)
    value = _xml(root)
    return value


def _xml(node: ElementTree.Element) -> Any:
    if node.tag in CONTAINERS:
        return [_xml(child) for child in node]
    if len(node):
        return {child.tag: _xml(child) for child in node}
    return node.text


def _strings(value: Any) -> Any:
    if isinstance(value, list):
        return [_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: _strings(v) for k, v in value.items()}
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)
