"""POST requests through intake, and GET requests and requests/{id}: tracking codes, public
status in the complaint's language, no personal data, and the specification's refusals."""

from datetime import timedelta
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from models import apikeys
from models.agencies import Agency
from models.app_requests import RESENT_WITHIN, AppRequest, Details, file_request
from models.base import utcnow
from models.intake import Complaint, open_ticket
from models.media import Media, MediaStatus
from models.messages import Message, Purpose
from models.outbox import OutboxItem
from models.persian import TEHRAN
from models.tickets import Ticket, TicketStatus, Via
from models.tracking import is_valid
from tests.open311.conftest import API, SERVICE, SPEC_EXAMPLE, read

FORMATS = ("json", "xml")


def ticket_of(session, code: str) -> Ticket:
    session.rollback()
    return session.scalars(select(Ticket).where(Ticket.code == code)).one()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_client_posting_as_the_specification_example_gets_a_tracking_code(client, session, api_key, fmt):
    body = SPEC_EXAMPLE.format(key=api_key, service=SERVICE)
    response = client.post(f"{API}/requests.{fmt}", data=body,
                           content_type="application/x-www-form-urlencoded; charset=utf-8")
    assert response.status_code == 200
    [created] = read(response)
    assert set(created) == {"service_request_id", "account_id"}  # realtime: no token
    code = created["service_request_id"]
    assert is_valid(code) and created["account_id"] == "123456"
    ticket = ticket_of(session, code)
    assert (ticket.via, ticket.sector_code, ticket.category_code) == (Via.APP, "municipality", "misconduct")
    assert ticket.text == "A large sinkhole is destroying the street"
    details = session.scalars(select(AppRequest).where(AppRequest.ticket_id == ticket.id)).one()
    assert (details.lat, details.long, details.first_name, details.email) == (
        37.76524078, -122.4212043, "john", "smit333@sfgov.edu")
    assert details.attributes == {"WHISPAWN": "123456", "WHISDORN": "COISL001"}
    [media] = session.scalars(select(Media).where(Media.ticket_id == ticket.id))
    assert media.status == MediaStatus.PENDING and media.url.startswith("http://farm3.static.flickr.com/")
    jobs = set(session.scalars(select(OutboxItem.job).where(OutboxItem.ticket_id == ticket.id)))
    assert jobs == {"route_ticket", "fetch_media"}


def test_a_mobile_number_is_normalised_and_texted_the_code(post, session):
    code = read(post(service_code=SERVICE, description="کارمند سر کار نبود", phone="۰۹۱۲ ۱۲۳ ۴۵۶۷"))[0][
        "service_request_id"]
    ticket = ticket_of(session, code)
    assert ticket.caller == "+989121234567" and ticket.language == "fa"
    [text] = session.scalars(select(Message).where(Message.ticket_id == ticket.id))
    assert text.purpose == Purpose.TRACKING_CODE and text.number == "+989121234567"


def test_without_a_phone_the_ticket_has_no_caller_and_nothing_is_texted(post, session):
    code = read(post(service_code=SERVICE, description="no phone"))[0]["service_request_id"]
    ticket = ticket_of(session, code)
    assert ticket.caller is None
    assert session.scalars(select(Message).where(Message.ticket_id == ticket.id)).all() == []


def test_the_attributes_choose_the_province_and_the_agency(post, session):
    code = read(post(**{"service_code": "municipality-delay", "description": "x",
                        "attribute[agency]": "MUN-HAM-MALAYER"}))[0]["service_request_id"]
    ticket = ticket_of(session, code)
    assert ticket.agency.code == "MUN-HAM-MALAYER" and ticket.province_code == "hamadan"
    code = read(post(**{"service_code": "other-delay", "description": "x", "attribute[province]": "tehran"}))[0][
        "service_request_id"]
    ticket = ticket_of(session, code)
    assert ticket.sector_code is None and ticket.province_code == "tehran"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("fields, status, words", [
    ({}, 400, "service_code was not provided"),
    ({"service_code": "001"}, 404, "'001' was not found"),
    ({"service_code": SERVICE}, 400, "a complaint needs a text"),
    ({"service_code": SERVICE, "description": "x" * 4001}, 400, "longer than 4000"),
    ({"service_code": SERVICE, "description": "x", "lat": "37.7"}, 400, "lat and long"),
    ({"service_code": SERVICE, "description": "x", "lat": "north", "long": "1"}, 400, "lat and long"),
    ({"service_code": SERVICE, "description": "x", "attribute[province]": "atlantis"}, 400, "not a province"),
    ({"service_code": SERVICE, "description": "x", "attribute[agency]": "BMI-TEH"}, 400, "not an agency of"),
    ({"service_code": SERVICE, "description": "x", "media_url": "file:///etc/passwd"}, 400, "http or https"),
])
def test_a_request_the_rules_refuse_gets_the_errors_shape(post, session, fmt, fields, status, words):
    response = post(fmt, **fields)
    assert response.status_code == status
    [problem] = read(response)
    assert problem["code"] == str(status) and words in problem["description"]
    session.rollback()
    assert session.scalars(select(Ticket)).all() == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_unknown_or_revoked_key_is_a_403(client, session, api_key, fmt):
    form = {"service_code": SERVICE, "description": "x"}
    for key in (None, "foad_not-a-key", "xyz"):
        response = client.post(f"{API}/requests.{fmt}", data={**form, **({"api_key": key} if key else {})})
        assert response.status_code == 403
        assert read(response) == [{"code": "403",
                                   "description": "Invalid api_key received -- can't proceed with create_request."}]
    apikeys.revoke(session, "fixmystreet")
    assert client.post(f"{API}/requests.{fmt}", data={**form, "api_key": api_key}).status_code == 403


def test_past_the_hourly_limit_of_a_number_the_app_is_told_so(post, settings):
    for n in range(settings.max_complaints_per_hour):
        assert post(service_code=SERVICE, description=f"x{n}", phone="09121234567").status_code == 200
    refused = post(service_code=SERVICE, description="another", phone="09121234567")
    assert refused.status_code == 400 and read(refused)[0]["code"] == "429"


def open_by_app(post, **fields) -> str:
    return read(post(service_code=SERVICE, description="private words", first_name="Maryam",
                     email="m@example.ir", phone="09121234567", lat="35.7", long="51.4",
                     address_string="Valiasr St", media_url="https://example.ir/p.jpg", **fields))[0][
        "service_request_id"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_by_id_shows_its_public_status_and_no_personal_data(client, post, session, fmt):
    code = open_by_app(post)
    response = client.get(f"{API}/requests/{code}.{fmt}")
    assert response.status_code == 200
    [request] = read(response)
    ticket = ticket_of(session, code)
    assert request["service_request_id"] == code and request["status"] == "open"
    assert request["status_notes"] == "ثبت شده" and request["service_code"] == SERVICE
    assert request["service_name"] == "شهرداری: برخورد نامناسب کارکنان"
    assert request["requested_datetime"] == ticket.registered_at.astimezone(TEHRAN).isoformat(timespec="seconds")
    for withheld in ("description", "address", "address_id", "zipcode", "lat", "long", "media_url"):
        assert request[withheld] is None
    # The phone's ten national digits, not a part of them: "912" turns up in a random code.
    for private in (b"private words", b"Maryam", b"m@example.ir", b"9121234567", b"Valiasr", b"example.ir/p.jpg"):
        assert private not in response.data


def test_json_and_xml_requests_are_the_same_document(client, post):
    code = open_by_app(post)
    assert read(client.get(f"{API}/requests/{code}.json")) == read(client.get(f"{API}/requests/{code}.xml"))


def test_status_notes_in_english_for_an_english_request_and_the_agency_and_deadline(client, post, session):
    code = open_by_app(post, headers={"Accept-Language": "en"})
    ticket = ticket_of(session, code)
    ticket.status, ticket.agency_id = TicketStatus.RESOLVED, 1
    ticket.due_at = ticket.registered_at + timedelta(hours=3)
    session.commit()
    [request] = read(client.get(f"{API}/requests/{code}.json"))
    assert request["status"] == "closed" and request["status_notes"] == "answered"
    assert request["agency_responsible"] == session.get(Agency, 1).name_en
    assert request["expected_datetime"].endswith("+03:30")
    assert request["service_name"] == "Municipality: Staff misconduct"


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_or_misspelt_request_id_is_a_404(client, fmt):
    for request_id in ("1234567890", "12"):
        response = client.get(f"{API}/requests/{request_id}.{fmt}")
        assert response.status_code == 404 and read(response)[0]["code"] == "404"


def test_requests_by_ids_include_tickets_of_any_way_in(client, post, session):
    by_app = open_by_app(post)
    by_phone = open_ticket(session, Complaint(via=Via.CALL, caller="02188776655", voice_path="v.wav")).ticket.code
    listed = read(client.get(f"{API}/requests.json?service_request_id={by_app},{by_phone},999"))
    assert {r["service_request_id"] for r in listed} == {by_app, by_phone}


def test_requests_list_the_apps_requests_by_status_service_and_dates(client, post, session):
    first, second = open_by_app(post), open_by_app(post, **{"attribute[province]": "tehran"})
    other = read(post(service_code="banks-delay", description="x"))[0]["service_request_id"]
    open_ticket(session, Complaint(via=Via.CALL, caller="02188776655", voice_path="v.wav"))
    ticket_of(session, first).status = TicketStatus.CLOSED
    session.commit()

    def codes(query: str = "") -> list[str]:
        return [r["service_request_id"] for r in read(client.get(f"{API}/requests.xml{query}"))]

    assert codes() == [other, second, first]  # newest first, the apps' requests only
    assert codes("?status=open") == [other, second] and codes("?status=closed") == [first]
    assert codes("?status=open,closed") == [other, second, first]
    assert codes(f"?service_code={SERVICE}") == [second, first]
    assert codes(f"?service_code=banks-delay,{SERVICE}&status=open") == [other, second]
    assert codes("?page_size=2") == [other, second] and codes("?page_size=2&page=2") == [first]
    past = (utcnow() - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert codes(f"?end_date={past}") == []
    recent = quote((utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+03:30"))
    assert codes(f"?start_date={recent}") == [other, second, first]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("query, words", [
    ("status=pending", "open or closed"),
    ("start_date=yesterday", "w3 datetime"),
    ("start_date=2010-01-01T00:00:00", "w3 datetime"),
    ("start_date=2010-01-01T00:00:00Z&end_date=2010-06-01T00:00:00Z", "at most 90 days"),
    ("start_date=2010-06-01T00:00:00Z&end_date=2010-01-01T00:00:00Z", "before end_date"),
    ("page_size=1001", "page_size"), ("page=0", "page"),
])
def test_a_query_the_specification_does_not_allow_is_a_400(client, fmt, query, words):
    response = client.get(f"{API}/requests.{fmt}?{query}")
    assert response.status_code == 400
    assert words in read(response)[0]["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_token_is_never_found_as_every_request_is_answered_at_once(client, fmt):
    response = client.get(f"{API}/tokens/12345.{fmt}")
    assert response.status_code == 404 and "12345" in read(response)[0]["description"]


SPEC_REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url"]
"""The fields of GET Service Request's example response, in its order."""


def test_a_request_carries_the_specification_examples_fields_in_their_order(client, post):
    code = open_by_app(post)
    root = ElementTree.fromstring(client.get(f"{API}/requests/{code}.xml").data)
    assert root.tag == "service_requests" and [child.tag for child in root] == ["request"]
    assert [field.tag for field in root[0]] == SPEC_REQUEST_FIELDS
    assert list(client.get(f"{API}/requests/{code}.json").get_json()[0]) == SPEC_REQUEST_FIELDS


def test_errors_carry_the_specification_examples_elements(client):
    root = ElementTree.fromstring(client.get(f"{API}/requests/12.xml").data)
    assert root.tag == "errors" and [[f.tag for f in error] for error in root] == [["code", "description"]]


def test_the_same_request_sent_again_gets_the_same_ticket_and_one_text(post, session):
    fields = {"service_code": SERVICE, "description": "صف طولانی", "phone": "09121234567", "device_id": "d1"}
    first = read(post(**fields))[0]["service_request_id"]
    again = read(post("xml", **fields))[0]["service_request_id"]
    other = read(post(**{**fields, "description": "صف طولانی تر"}))[0]["service_request_id"]
    assert first == again != other
    session.rollback()
    assert len(session.scalars(select(Ticket)).all()) == 2
    assert session.scalars(select(Message.purpose).where(Message.number == "+989121234567")).all() == [
        Purpose.TRACKING_CODE, Purpose.TRACKING_CODE]


def test_the_same_fields_after_the_window_are_a_new_complaint(session, api_key):
    key_id = apikeys.live_key_id(session, api_key)
    complaint = Complaint(via=Via.APP, caller=None, text="x", sector="municipality", category="delay")
    details = Details(api_key_id=key_id, service_code=SERVICE, fields='[["description", "x"]]')
    now = utcnow()
    first = file_request(session, complaint, details, now=now).code
    assert file_request(session, complaint, details, now=now).code == first
    assert file_request(session, complaint, details, now=now + RESENT_WITHIN * 2).code != first
