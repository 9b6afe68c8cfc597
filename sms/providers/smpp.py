"""The operator's SMSC as an SMS provider: the send job hands each text to the `foad smpp`
link process through Redis (sms.smpp.bridge) and waits for the SMSC's submit_sm_resp."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from redis import Redis

from models.providers import OutcomeUnknown, PermanentSendError, RetryableSendError
from sms.smpp import bridge


class SmppProvider:
    """Sends through whichever `foad smpp` link takes the request first."""

    name = "smpp"

    def __init__(self, redis: Redis, timeout: float) -> None:
        self._redis = redis
        self._timeout = timeout

    def send(self, to: str, body: str, idempotency_key: str) -> str:
        """Hand the text to a link; the SMSC's message_id of its first part."""
        answer = self._ask("submit", {"to": to, "body": body, "ref": idempotency_key}, maybe_sent=True)
        if answer.get("id"):
            return str(answer["id"])
        raise _error(answer)

    def find_sent(self, to: str, body: str, since: datetime, exclude: Collection[str] = ()) -> str | None:
        """Ask a link whether an earlier attempt's text is at the SMSC (journal, then query_sm)."""
        answer = self._ask("find", {"to": to, "body": body, "since": since.isoformat(),
                                    "exclude": sorted(exclude)}, maybe_sent=False)
        if "error" in answer:
            raise RetryableSendError(answer.get("detail", "the link could not tell"), answer["error"])
        return answer.get("id")

    def _ask(self, op: str, payload: dict[str, Any], *, maybe_sent: bool) -> dict[str, Any]:
        try:
            answer = bridge.ask(self._redis, op, payload, self._timeout)
        except bridge.NoLink as exc:
            raise RetryableSendError(f"not handed to the SMSC: {exc}", "no_link") from exc
        except bridge.Asked as exc:
            raise (OutcomeUnknown if maybe_sent else RetryableSendError)(str(exc), "no_answer") from exc
        if answer is None:
            unknown = OutcomeUnknown if maybe_sent else RetryableSendError
            raise unknown(f"no answer from the SMPP link in {self._timeout:.0f} s", "no_answer")
        return answer


def _error(answer: dict[str, Any]) -> Exception:
    kinds = {"permanent": PermanentSendError, "unknown": OutcomeUnknown}
    kind = kinds.get(answer.get("kind", ""), RetryableSendError)
    return kind(answer.get("detail", "refused"), answer.get("error"))
