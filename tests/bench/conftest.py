"""What the benches' own tests run them with."""

import os

import pytest


@pytest.fixture
def bench_env(redis_server_url: str) -> dict[str, str]:
    """The environment a bench runs in, with this test worker's own Redis database. Under
    pytest-xdist REDIS_URL names worker 0's: a bench given it pushed its tickets' jobs into
    the queues of whatever test worker 0 ran, whose worker then ran them."""
    return {**os.environ, "REDIS_URL": redis_server_url}
