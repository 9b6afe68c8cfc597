"""Per-key and per-address rate limits, counted in Redis: past one, the specification's
error shape with the body's own code 429 and a Retry-After header."""

from dataclasses import replace

import pytest

from redis import Redis

from models import apikeys
from open311.throttle import Throttle
from tests.ports import free_port
from tests.open311.conftest import API, SERVICE, read


@pytest.fixture
def settings(settings):
    """Tight limits, to reach them in a test."""
    return replace(settings, open311_key_limit="3/minute", open311_address_limit="5/minute")


def test_a_key_past_its_limit_is_refused_until_the_window_passes(post):
    for _ in range(3):
        assert post(service_code=SERVICE, description="x").status_code == 200
    refused = post("xml", service_code=SERVICE, description="x")
    assert refused.status_code == 400 and int(refused.headers["Retry-After"]) >= 1
    [problem] = read(refused)
    assert problem["code"] == "429" and "API key" in problem["description"]


def test_another_key_has_its_own_count(client, session, post):
    for _ in range(3):
        post(service_code=SERVICE, description="x")
    _row, other = apikeys.add_key(session, "seeclickfix")
    response = client.post(f"{API}/requests.json", data={"api_key": other, "service_code": SERVICE,
                                                          "description": "x"})
    assert response.status_code == 200


def test_an_address_past_its_limit_is_refused_whatever_it_asks(client):
    for _ in range(5):
        assert client.get(f"{API}/services.json").status_code == 200
    refused = client.get(f"{API}/discovery.json")
    assert refused.status_code == 400 and read(refused)[0]["code"] == "429"
    assert "address" in read(refused)[0]["description"]
    other = client.get(f"{API}/discovery.json", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 200


def test_with_redis_down_nobody_is_held_up(app, client, settings):
    nowhere = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.2)
    app.extensions["open311"] = Throttle(nowhere, settings.open311_key_limit, settings.open311_address_limit)
    for _ in range(7):
        assert client.get(f"{API}/services.json").status_code == 200
