"""A local HTTP server that answers like Twilio's REST API: the SMS provider of local
development (`foad serve --local-twilio`, see foad.devtools.local_twilio), of the tests and
of the benches. Nothing in sms/ or worker/ knows it: they talk to it as to Twilio.

`POST /2010-04-01/Accounts/{sid}/Messages.json` with HTTP Basic auth and form fields gets
201 and a JSON message with a fresh `SM…` sid, and is recorded in `messages`; `GET` on the
same path lists them like Twilio (newest first, `To`, `From` and `DateSent`/`DateSent>`/
`DateSent<` filters by day, pages of `PageSize` with `next_page_uri`), recorded in `lookups`.
Faults are planned per request (`plan("429", "500", "timeout", "hold", 21610)`) or per number
(`unsubscribed`); "hold" takes the message in, then keeps the answer until `release()`.
`add_media()` serves a file behind the same Basic auth, like Twilio's MMS media URLs
(`hold_media()` keeps the next download waiting until `release()` too). Point the real
twilio client at `base_url`.
"""

from __future__ import annotations

import base64
import json
import secrets
import select
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

from models.settings import TwilioSettings

FROM_NUMBER = "+15005550006"
"""The sender the server's settings use (Twilio's own magic test number)."""

ERRORS: dict[int, tuple[int, str]] = {
    21211: (400, "The 'To' number is not a valid phone number."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21614: (400, "'To' number is not a valid mobile number"),
    20429: (429, "Too Many Requests"),
}
"""Twilio error codes the server can answer with: (HTTP status, message)."""
HOLD_MAX = 60.0
"""Seconds a held answer waits for `release()` at most, so that a forgotten hold ends."""
CLIENT_TIMEOUT = 3.0
"""Seconds the tests' Twilio client waits (TWILIO_HTTP_TIMEOUT): a planned "timeout" lasts
this long, and an answer on a busy machine still comes well within it."""
PAGE_SIZE = 50
"""Twilio's default page of a list."""


def new_sid(prefix: str) -> str:
    """A Twilio-shaped id: two letters and 32 hex digits."""
    return prefix + secrets.token_hex(16)


@dataclass
class Sent:
    """One message the server accepted."""

    sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status_callback: str | None
    media_urls: list[str] = field(default_factory=list)
    at: float = field(default_factory=time.time)
    """When the server took it in (Twilio's date_created; the server hands it on at once,
    so date_sent too)."""


class TwilioApi:
    """The server; start it with `with TwilioApi() as api:` or `start()`/`stop()`."""

    def __init__(self, hang_seconds: float = 30.0) -> None:
        self.account_sid = new_sid("AC")
        self.auth_token = secrets.token_hex(16)
        self.hang_seconds = hang_seconds
        """How long a planned "timeout" keeps a client that never gives up waiting."""
        self.messages: list[Sent] = []
        self.attempts: list[dict[str, Any]] = []
        """Every send request, accepted or not: {"to", "outcome"}."""
        self.media_requests: list[dict[str, Any]] = []
        self.lookups: list[dict[str, str]] = []
        """Every list request (GET …/Messages.json), as its query parameters."""
        self.unsubscribed: set[str] = set()
        self._planned: list[str | int] = []
        self._released = threading.Event()
        self._released.set()
        self._media_holds = 0
        self._media: dict[str, tuple[str, bytes]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def messages_path(self) -> str:
        """The account's Messages resource: POST sends, GET lists."""
        return f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    @property
    def base_url(self) -> str:
        """What TWILIO_API_BASE_URL should say."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def settings(self, timeout: float = CLIENT_TIMEOUT, **overrides: Any) -> TwilioSettings:
        """Twilio settings that send through this server."""
        fields = dict(account_sid=self.account_sid, auth_token=self.auth_token,
                      from_number=FROM_NUMBER, api_base_url=self.base_url, timeout=timeout)
        return TwilioSettings(**{**fields, **overrides})

    def plan(self, *outcomes: str | int) -> None:
        """Answer the next send requests with these: "429", "500", "timeout" (nothing taken
        in), "hold" (taken in and recorded, the answer kept until `release()`), "ok", or a
        Twilio error code (21610, 21211 …); after them, "ok"."""
        with self._lock:
            self._planned.extend(outcomes)
            if "hold" in outcomes:
                self._released.clear()

    def hold_media(self, count: int = 1) -> None:
        """Keep the next `count` media downloads waiting (recorded, not served) until `release()`."""
        with self._lock:
            self._media_holds += count
            self._released.clear()

    def release(self) -> None:
        """Let every held answer go (a client that gave up meanwhile gets nothing)."""
        self._released.set()

    def add_media(self, content_type: str, data: bytes) -> str:
        """Serve `data` behind Basic auth; returns its Twilio-shaped URL."""
        path = (f"/2010-04-01/Accounts/{self.account_sid}/Messages/{new_sid('MM')}"
                f"/Media/{new_sid('ME')}")
        self._media[path] = (content_type, data)
        return self.base_url + path

    def start(self) -> "TwilioApi":
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.release()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "TwilioApi":
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _next_outcome(self, to: str) -> str | int:
        with self._lock:
            outcome = self._planned.pop(0) if self._planned else "ok"
        return 21610 if outcome == "ok" and to in self.unsubscribed else outcome

    def _hold_this_media(self) -> bool:
        with self._lock:
            held, self._media_holds = self._media_holds > 0, max(0, self._media_holds - 1)
        return held

    def _wait_for_release(self) -> None:
        self._released.wait(HOLD_MAX)

    def _accept(self, form: dict[str, list[str]]) -> Sent:
        one = {k: v[0] for k, v in form.items()}
        sent = Sent(sid=new_sid("SM"), to=one["To"], from_=one.get("From"),
                    messaging_service_sid=one.get("MessagingServiceSid"), body=one.get("Body", ""),
                    status_callback=one.get("StatusCallback"), media_urls=form.get("MediaUrl", []))
        with self._lock:
            self.messages.append(sent)
        return sent

    def _authorized(self, header: str | None) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return header == f"Basic {expected}"


def _handler_for(api: TwilioApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """Twilio's REST API, the parts we use."""

        # As api.twilio.com: a client keeps its connection for the next request, and an
        # answer goes out whole (headers and body apart would wait on the client's delayed ACK).
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            if not api._authorized(self.headers.get("Authorization")):
                return self._error(401, 20003, "Authenticate")
            if self.path != api.messages_path:
                return self._error(404, 20404, "The requested resource was not found")
            self._create(form)

        def do_GET(self) -> None:  # noqa: N802
            path, _, query = self.path.partition("?")
            if path == api.messages_path:
                return self._list(parse_qs(query))
            api.media_requests.append({"path": self.path, "authorization": self.headers.get("Authorization")})
            if not api._authorized(self.headers.get("Authorization")):
                return self._error(401, 20003, "Authenticate")
            if self.path not in api._media:
                return self._error(404, 20404, "The requested resource was not found")
            if api._hold_this_media():
                api._wait_for_release()
            content_type, data = api._media[self.path]
            self._reply(200, data, content_type)

        def _list(self, query: dict[str, list[str]]) -> None:
            if not api._authorized(self.headers.get("Authorization")):
                return self._error(401, 20003, "Authenticate")
            one = {k: v[0] for k, v in query.items()}
            api.lookups.append(one)
            try:
                doc = _page(api, one)
            except ValueError as exc:
                return self._error(400, 20001, str(exc))
            self._reply(200, json.dumps(doc).encode(), "application/json")

        def _create(self, form: dict[str, list[str]]) -> None:
            to = form.get("To", [""])[0]
            if not to:
                return self._error(400, 21604, "A 'To' phone number is required.")
            if not (form.get("From") or form.get("MessagingServiceSid")):
                return self._error(400, 21603, "A 'From' phone number is required.")
            outcome = api._next_outcome(to)
            api.attempts.append({"to": to, "outcome": outcome})
            if outcome == "timeout":
                # Nothing taken in, nothing said until the client gives up (its timeout).
                select.select([self.connection], [], [], api.hang_seconds)
                return self._error(503, 20503, "Service unavailable")
            if outcome in ("429", "500"):
                return self._error(int(str(outcome)), 20429 if outcome == "429" else 20500, "planned fault")
            if isinstance(outcome, int):
                return self._error(ERRORS[outcome][0], outcome, ERRORS[outcome][1])
            sent = api._accept(form)
            if outcome == "hold":
                api._wait_for_release()  # taken in: whoever asked may give up or die meanwhile
            self._reply(201, json.dumps(_resource(api, sent)).encode(), "application/json")

        def _error(self, status: int, code: int, message: str) -> None:
            doc = {"code": code, "message": message, "status": status,
                   "more_info": f"https://www.twilio.com/docs/errors/{code}"}
            self._reply(status, json.dumps(doc).encode(), "application/json")

        def _reply(self, status: int, body: bytes, content_type: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped waiting (a planned timeout, a hold)

        def log_message(self, *_args: object) -> None:
            pass  # quiet: tests assert on what was recorded instead

    return Handler


def _page(api: TwilioApi, query: dict[str, str]) -> dict[str, Any]:
    """One page of the account's messages as Twilio lists them: newest first, filtered."""
    size = min(int(query.get("PageSize") or PAGE_SIZE), 1000)
    number = int(query.get("Page") or 0)
    with api._lock:
        found = [m for m in reversed(api.messages) if _matches(m, query)]
    chosen = found[number * size:(number + 1) * size]
    filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

    def uri(page: int) -> str:
        return f"{api.messages_path}?{urlencode({**filters, 'PageSize': size, 'Page': page})}"

    more = len(found) > (number + 1) * size
    return {
        "messages": [_resource(api, m, listed=True) for m in chosen],
        "page": number, "page_size": size, "start": number * size,
        "end": number * size + max(len(chosen) - 1, 0), "uri": uri(number),
        "first_page_uri": uri(0), "previous_page_uri": uri(number - 1) if number else None,
        "next_page_uri": f"{uri(number + 1)}&PageToken=PA{chosen[-1].sid}" if more else None,
    }


def _matches(sent: Sent, query: dict[str, str]) -> bool:
    """Twilio's list filters; dates are GMT days, whatever time of day a client adds."""
    day = datetime.fromtimestamp(sent.at, timezone.utc).date()
    checks = {"To": lambda v: sent.to == v, "From": lambda v: sent.from_ == v,
              "DateSent": lambda v: day == _day(v), "DateSent>": lambda v: day >= _day(v),
              "DateSent<": lambda v: day <= _day(v)}
    return all(check(query[name]) for name, check in checks.items() if name in query)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"DateSent must be YYYY-MM-DD, not {value!r}") from None


def _resource(api: TwilioApi, sent: Sent, listed: bool = False) -> dict[str, Any]:
    """The JSON Twilio returns for a message: just created, or `listed` later (sent by then)."""
    at = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(sent.at))
    return {
        "sid": sent.sid, "account_sid": api.account_sid, "to": sent.to, "from": sent.from_,
        "messaging_service_sid": sent.messaging_service_sid, "body": sent.body,
        "status": "sent" if listed else "queued", "num_segments": "1",
        "num_media": str(len(sent.media_urls)),
        "direction": "outbound-api", "api_version": "2010-04-01", "price": None,
        "error_code": None, "error_message": None, "date_created": at, "date_updated": at,
        "date_sent": at if listed else None,
        "uri": f"/2010-04-01/Accounts/{api.account_sid}/Messages/{sent.sid}.json",
        "subresource_uris": {"media": f"/2010-04-01/Accounts/{api.account_sid}/Messages/{sent.sid}/Media.json"},
    }
