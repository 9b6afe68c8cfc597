"""How a send job reaches the bind: a request on a Redis list that the `foad smpp` processes
take from, and the answer on a list of the request's own that the job waits on.

A request carries its deadline: a link that takes it later (the job gave up waiting, and
counts the outcome as unknown) drops it unsent, and the job's retry asks again.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from redis import Redis
from redis.exceptions import RedisError

REQUESTS = "foad:smpp:requests"
"""The list of requests every link takes from."""
BOUND = "foad:smpp:bound"
"""Set, with a short expiry, by every link while it is bound: someone is there to ask."""
BOUND_TTL = 5.0
"""Seconds the bound mark lives unless a link sets it again (it does every half second)."""
ANSWER_TTL = 60
"""Seconds an answer nobody took stays in Redis."""
POP_CHUNK = 4.0
"""Seconds a blocking pop waits at once: under the Redis client's 5 s socket timeout."""


class NoLink(Exception):
    """No link is bound (or Redis cannot be reached): nothing was handed over."""


class Asked(Exception):
    """The request was handed over but its answer could not be read: it may have been done."""


def ask(redis: Redis, op: str, payload: dict[str, Any], timeout: float) -> dict[str, Any] | None:
    """Hand a request to the links and wait up to `timeout` seconds for its answer (None)."""
    reply = f"foad:smpp:answer:{uuid.uuid4().hex}"
    request = {"op": op, "reply": reply, "deadline": time.time() + timeout, **payload}
    try:
        if not redis.exists(BOUND):
            raise NoLink("no SMPP link is bound")
        redis.rpush(REQUESTS, json.dumps(request))
    except RedisError as exc:
        raise NoLink(f"Redis: {type(exc).__name__}") from exc
    try:
        found = _pop(redis, reply, timeout)
    except RedisError as exc:
        raise Asked(f"Redis: {type(exc).__name__}") from exc
    return json.loads(found) if found is not None else None


def take(redis: Redis, wait: float) -> dict[str, Any] | None:
    """The next request, waiting up to `wait` seconds; None when none came."""
    found = _pop(redis, REQUESTS, wait)
    return json.loads(found) if found is not None else None


def wanted(request: dict[str, Any]) -> bool:
    """True while whoever asked is still waiting for the answer."""
    return time.time() < float(request.get("deadline", 0))


def answer(redis: Redis, request: dict[str, Any], result: dict[str, Any]) -> None:
    """Give the asker its answer."""
    with redis.pipeline() as pipe:
        pipe.rpush(request["reply"], json.dumps(result))
        pipe.expire(request["reply"], ANSWER_TTL)
        pipe.execute()


def mark_bound(redis: Redis) -> None:
    """Say a link is bound, for the next BOUND_TTL seconds."""
    redis.set(BOUND, "1", px=int(BOUND_TTL * 1000))


def _pop(redis: Redis, key: str, timeout: float) -> bytes | None:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        found = redis.blpop([key], timeout=min(left, POP_CHUNK))
        if found is not None:
            return found[1]
    return None
