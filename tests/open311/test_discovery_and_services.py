"""Discovery, the service list and service definitions, in JSON and XML, as GeoReport v2
draws them; and the spec's refusals for unknown services, paths and methods."""

import pytest

from tests.open311.conftest import API, SERVICE, read

FORMATS = ("json", "xml")


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_this_endpoint_and_both_formats(client, fmt):
    response = client.get(f"{API}/discovery.{fmt}")
    assert response.status_code == 200
    doc = read(response)
    assert set(doc) == {"changeset", "contact", "key_service", "endpoints"}
    [endpoint] = doc["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]


def test_json_and_xml_carry_the_same_documents(client):
    for path in ("discovery", "services", f"services/{SERVICE}"):
        assert read(client.get(f"{API}/{path}.json")) == read(client.get(f"{API}/{path}.xml")), path


def test_a_service_for_each_category_of_each_sector_grouped_by_sector(client):
    services = read(client.get(f"{API}/services.json"))
    codes = [s["service_code"] for s in services]
    assert len(codes) == len(set(codes)) == 9 * 8  # eight sectors and "any other", eight categories
    first = services[0]
    assert first == {
        "service_code": SERVICE, "service_name": "شهرداری: برخورد نامناسب کارکنان",
        "description": "برخورد نامناسب کارکنان", "metadata": "true", "type": "realtime",
        "keywords": "شهرداری, Municipality, برخورد نامناسب کارکنان, Staff misconduct", "group": "شهرداری"}
    assert services[-1]["service_code"] == "other-other"


def test_english_names_for_a_client_that_asks_for_english(client):
    services = read(client.get(f"{API}/services.xml", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert services[0]["service_name"] == "Municipality: Staff misconduct"
    assert services[0]["group"] == "Municipality"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_definition_offers_the_provinces_served_and_the_sectors_agencies(client, fmt):
    doc = read(client.get(f"{API}/services/{SERVICE}.{fmt}"))
    assert doc["service_code"] == SERVICE
    province, agency = doc["attributes"]
    assert province["code"] == "province" and province["datatype"] == "singlevaluelist"
    assert province["variable"] == "true" and province["required"] == "false" and province["order"] == "1"
    assert {v["key"] for v in province["values"]} == {"tehran", "hamadan"}
    assert agency["code"] == "agency" and agency["order"] == "2"
    assert {"key": "MUN-HAM-MALAYER", "name": "شهرداری ملایر"} in agency["values"]


def test_any_other_service_has_no_agency_to_choose(client):
    doc = read(client.get(f"{API}/services/other-delay.json"))
    assert [a["code"] for a in doc["attributes"]] == ["province"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_service_is_a_404_in_the_errors_shape(client, fmt):
    response = client.get(f"{API}/services/001.{fmt}")
    assert response.status_code == 404
    [problem] = read(response)
    assert problem["code"] == "404" and "001" in problem["description"]


def test_an_unknown_resource_is_a_404_and_a_wrong_method_a_400(client):
    missing = client.get(f"{API}/reports.json")
    assert missing.status_code == 404 and read(missing)[0]["code"] == "404"
    wrong = client.delete(f"{API}/services.xml")
    assert wrong.status_code == 400 and "use GET" in read(wrong)[0]["description"]
    posted = client.post(f"{API}/services.json")
    assert posted.status_code == 400 and "use GET" in read(posted)[0]["description"]


def test_a_format_other_than_json_or_xml_is_not_found(client):
    response = client.get(f"{API}/services.html")
    assert response.status_code == 404 and response.mimetype == "text/xml"


def test_jurisdiction_id_is_optional_and_any_is_taken_unless_one_is_configured(client):
    assert client.get(f"{API}/services.json?jurisdiction_id=city.gov").status_code == 200


def test_services_and_definitions_carry_the_specification_examples_fields(client):
    from xml.etree import ElementTree

    services = ElementTree.fromstring(client.get(f"{API}/services.xml").data)
    assert services.tag == "services" and {s.tag for s in services} == {"service"}
    assert {f.tag for f in services[0]} == {"service_code", "service_name", "description", "metadata", "type",
                                            "keywords", "group"}
    definition = ElementTree.fromstring(client.get(f"{API}/services/{SERVICE}.xml").data)
    assert definition.tag == "service_definition" and [f.tag for f in definition] == ["service_code", "attributes"]
    attribute = definition.find("attributes/attribute")
    assert [f.tag for f in attribute] == ["variable", "code", "datatype", "required", "datatype_description",
                                         "order", "description", "values"]
    assert [f.tag for f in attribute.find("values/value")] == ["key", "name"]
