"""jurisdiction_id: optional, and when the operator names one, any other is not found."""

from dataclasses import replace

import pytest

from tests.open311.conftest import API, read


@pytest.fixture
def settings(settings):
    """An endpoint that names its jurisdiction."""
    return replace(settings, open311_jurisdiction="128.arao.ir")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_another_jurisdiction_than_the_configured_one_is_not_found(client, fmt):
    assert client.get(f"{API}/services.{fmt}?jurisdiction_id=128.arao.ir").status_code == 200
    assert client.get(f"{API}/services.{fmt}").status_code == 200
    refused = client.get(f"{API}/services.{fmt}?jurisdiction_id=city.gov")
    assert refused.status_code == 404 and "city.gov" in read(refused)[0]["description"]


def test_a_post_to_another_jurisdiction_is_not_found(post):
    refused = post(jurisdiction_id="city.gov", service_code="municipality-delay", description="x")
    assert refused.status_code == 404
