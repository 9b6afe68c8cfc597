"""The twilio client's HTTP transport on a urllib3 connection pool, without requests.

The twilio library sends through requests by default, which prepares every request anew
(merging session settings, hooks, cookies; on requests 2.33 and later, checking its typing
protocols at run time): more than half a send's CPU went there. The library takes any
`HttpClient`, so this one hands its requests straight to urllib3 (which requests itself
sends through), encoded as requests would encode them: form fields repeated for a list,
None left out, basic auth, the same timeout for connecting and for reading, no redirects
followed, and the CA bundle requests uses (certifi's).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from urllib.parse import unquote, urlencode

import certifi
import urllib3
from twilio.http import HttpClient
from twilio.http.response import Response
from urllib3.util import make_headers, parse_url

_JSON = ("application/json", "application/scim+json")
"""Content types whose body twilio gives as data to be sent as JSON (as its own client does)."""
POOL_SIZE = 10
"""Connections kept open to the API host: one a thread that sends at once (the FastAGI server
texts from its lanes; a worker sends one at a time)."""


class PooledHttpClient(HttpClient):
    """Twilio's requests through one urllib3 pool (one connection pool a host, kept alive),
    through `proxy` (an http:// or https:// proxy URL, credentials in it) when one is given.
    Raises urllib3.exceptions.HTTPError when no answer comes."""

    def __init__(self, timeout: float | None, proxy: str | None = None) -> None:
        super().__init__(logging.getLogger("twilio.http_client"), False, timeout)
        options = dict(maxsize=POOL_SIZE, retries=False, ca_certs=certifi.where())
        if proxy:
            auth = parse_url(proxy).auth  # as the URL carries it: percent-encoded
            self._pool: urllib3.PoolManager = urllib3.ProxyManager(
                proxy, proxy_headers=_proxy_auth(unquote(auth)) if auth else None, **options)
        else:
            self._pool = urllib3.PoolManager(**options)

    def request(self, method: str, url: str, params: Mapping[str, object] | None = None,
                data: Mapping[str, object] | None = None, headers: Mapping[str, str] | None = None,
                auth: tuple[str, str] | None = None, timeout: float | None = None,
                allow_redirects: bool = False) -> Response:
        """One request as twilio's client makes it; its answer, whatever the status."""
        if timeout is not None and timeout <= 0:
            raise ValueError(timeout)
        timeout = self.timeout if timeout is None else timeout
        headers = dict(headers or {})
        if auth is not None:
            headers["Authorization"] = make_headers(basic_auth=f"{auth[0]}:{auth[1]}")["authorization"]
        if params:
            url = f"{url}?{_form(params)}"
        body = None
        if data is not None:
            body = json.dumps(data) if headers.get("Content-Type") in _JSON else _form(data)
        answer = self._pool.request(method.upper(), url, body=body, headers=headers, redirect=allow_redirects,
                                    timeout=urllib3.Timeout(connect=timeout, read=timeout))
        return Response(answer.status, answer.data.decode("utf-8", errors="replace"), answer.headers)


def _proxy_auth(credentials: str) -> dict[str, str]:
    return {"Proxy-Authorization": make_headers(proxy_basic_auth=credentials)["proxy-authorization"]}


def _form(fields: Mapping[str, object]) -> str:
    """`fields` form-encoded as requests encodes them: a list's values each under its name,
    None left out."""
    pairs = [(name, value) for name, values in fields.items()
             for value in (values if isinstance(values, (list, tuple)) else [values]) if value is not None]
    return urlencode(pairs)
