"""The Flask app's health check."""

from foad.app import create_app
from foad.runtime import make_runtime


def test_healthz_says_ok_when_database_and_redis_answer(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json == {"database": "ok", "redis": "ok"}


def test_healthz_is_503_when_redis_is_down(settings, runtime):
    offline = make_runtime(settings, "redis://127.0.0.1:1/0")
    try:
        answer = create_app(offline).test_client().get("/healthz")
    finally:
        offline.close()
    assert answer.status_code == 503 and answer.json["redis"].startswith("error")
