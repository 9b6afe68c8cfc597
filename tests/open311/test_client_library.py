"""A published Open311 client (PyPI's georeport) reads the API over real HTTP, in both formats."""

import pytest
from georeport import GeoReport

from tests.console.browser import site  # noqa: F401  (a fixture)
from tests.open311.conftest import API, SERVICE, read


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_services_definitions_and_requests(site, post, fmt):
    code = read(post(service_code=SERVICE, description="x"))[0]["service_request_id"]
    client = GeoReport(site + API, jurisdiction="128.arao.ir", output_format=fmt)
    services = client.get_service_list()
    assert len(services) == 72 and services[0]["service_code"] == SERVICE
    definition = client.get_service_definition(SERVICE)
    assert definition["service_code"] == SERVICE
    assert client.get_service_request(code)["service_request_id"] == code
    listed = client.get_service_requests(service_request_id=code)
    assert (listed[0] if isinstance(listed, list) else listed)["status"] == "open"
