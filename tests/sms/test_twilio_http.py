"""The twilio client's transport sends what requests would have sent, over a kept connection."""

from __future__ import annotations

import base64
import http.server
import json
import threading
from urllib.parse import parse_qsl, urlsplit

import pytest
from urllib3.exceptions import HTTPError

from sms.providers.twilio_http import PooledHttpClient


class EchoServer(http.server.ThreadingHTTPServer):
    """Answers every request with what it got, as JSON; /moved answers a redirect; notes
    each connection's client port (a kept-alive connection shows one port)."""

    def __init__(self) -> None:
        self.ports: list[int] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                server.ports.append(self.client_address[1])
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if self.path.startswith("/moved"):
                    self.send_response(302)
                    self.send_header("Location", "/elsewhere")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                payload = json.dumps({"method": self.command, "path": self.path, "body": body,
                                      "headers": dict(self.headers)}, ensure_ascii=False).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer

            def log_message(self, *_args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def echo():
    server = EchoServer()
    yield server
    server.shutdown()
    server.server_close()


def test_a_form_post_is_encoded_as_requests_encodes_it(echo):
    client = PooledHttpClient(timeout=5)
    answer = client.request("post", echo.url + "/2010-04-01/Accounts/AC1/Messages.json",
                            data={"To": "+989121112233", "Body": "شکایت شما ثبت شد", "MediaUrl": ["a", "b"],
                                  "StatusCallback": None},
                            headers={"Content-Type": "application/x-www-form-urlencoded"}, auth=("AC1", "secret"))
    got = json.loads(answer.text)
    assert answer.status_code == 201 and got["method"] == "POST"
    assert parse_qsl(got["body"]) == [("To", "+989121112233"), ("Body", "شکایت شما ثبت شد"),
                                      ("MediaUrl", "a"), ("MediaUrl", "b")]
    assert got["headers"]["Authorization"] == "Basic " + base64.b64encode(b"AC1:secret").decode()


def test_query_parameters_ride_on_the_url_and_json_goes_as_json(echo):
    client = PooledHttpClient(timeout=5)
    listed = json.loads(client.request("GET", echo.url + "/Messages.json",
                                       params={"To": "+989121112233", "DateSent>": "2026-12-03T00:00:00Z",
                                               "PageSize": 100}).text)
    assert parse_qsl(urlsplit(listed["path"]).query) == [
        ("To", "+989121112233"), ("DateSent>", "2026-12-03T00:00:00Z"), ("PageSize", "100")]
    posted = json.loads(client.request("POST", echo.url + "/v1/x", data={"a": [1, 2]},
                                       headers={"Content-Type": "application/json"}).text)
    assert json.loads(posted["body"]) == {"a": [1, 2]}


def test_redirects_are_not_followed_and_the_connection_is_kept(echo):
    client = PooledHttpClient(timeout=5)
    assert client.request("POST", echo.url + "/moved", data={}).status_code == 302
    client.request("POST", echo.url + "/again", data={})
    assert len(echo.ports) == 2 and len(set(echo.ports)) == 1


def test_no_answer_is_urllib3s_error_and_a_bad_timeout_is_refused(echo):
    silent = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    port = silent.server_address[1]  # listening, never answering: nobody serves it
    try:
        with pytest.raises(HTTPError):
            PooledHttpClient(timeout=0.2).request("POST", f"http://127.0.0.1:{port}/", data={})
    finally:
        silent.server_close()
    with pytest.raises(ValueError):
        PooledHttpClient(timeout=5).request("GET", echo.url, timeout=0)


def test_a_proxy_with_credentials_is_asked_with_them(echo):
    client = PooledHttpClient(timeout=5, proxy=f"http://ops:p%40ss@127.0.0.1:{echo.server_address[1]}")
    got = json.loads(client.request("POST", "http://twilio.example/Messages.json", data={"To": "1"}).text)
    assert got["path"] == "http://twilio.example/Messages.json"  # a forward proxy gets the absolute URL
    assert got["headers"]["Proxy-Authorization"] == "Basic " + base64.b64encode(b"ops:p@ss").decode()
