"""Rate limits on the API, per API key and per client address, counted in Redis so that every
web process shares them (the `limits` library's fixed windows)."""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItem, parse
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter
from redis import Redis
from redis.exceptions import RedisError

from open311.documents import ApiError

log = logging.getLogger(__name__)


class Throttle:
    """The two limits of the API, on the app's Redis."""

    def __init__(self, redis: Redis, per_key: str, per_address: str) -> None:
        # "redis://" only names the kind of server: the connections are the app's own pool.
        storage = RedisStorage("redis://", connection_pool=redis.connection_pool, key_prefix="foad:open311")
        self._limiter = FixedWindowRateLimiter(storage)
        self._per_key, self._per_address = parse(per_key), parse(per_address)

    def key(self, key_id: int) -> None:
        """Count a request of the API key `key_id`; ApiError past its limit."""
        self._hit(self._per_key, "key", str(key_id))

    def address(self, address: str | None) -> None:
        """Count a request from `address`; ApiError past its limit."""
        self._hit(self._per_address, "address", address or "-")

    def _hit(self, limit: RateLimitItem, scope: str, who: str) -> None:
        try:
            if self._limiter.hit(limit, scope, who):
                return
            reset = self._limiter.get_window_stats(limit, scope, who).reset_time
        except RedisError as exc:
            # Nobody is held up while Redis is away: the API key check still stands.
            log.warning("open311 rate limit unavailable", extra={"error": str(exc)})
            return
        wait = max(1, math.ceil(reset - time.time()))
        raise Limited(wait, f"too many requests for this {'API key' if scope == 'key' else 'address'} "
                            f"(at most {limit}); try again in {wait} s")


class Limited(ApiError):
    """Past a rate limit: HTTP 400 as the specification has it for any other refusal, with
    the body's own code 429 and a Retry-After header."""

    def __init__(self, wait: int, description: str) -> None:
        super().__init__(400, description, 429)
        self.wait = wait
