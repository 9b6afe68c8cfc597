"""The GeoReport v2 endpoints under /open311/v2/, each in .json and .xml: discovery, services,
service definitions, POST requests (with an API key), GET requests, GET requests/{id} and
tokens/{token}. Every refusal is an `errors` document with the specification's status."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import InternalServerError, NotFound

from models import apikeys
from models.app_requests import file_request
from models.errors import DomainError, TooManyComplaints
from models.intake import IntakeRules
from models.runtime import runtime_of
from models.settings import Settings
from open311 import catalogue, listing, posting
from open311.documents import ApiError, answer, error
from open311.throttle import Limited, Throttle

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
FMT = "<any(json, xml):fmt>"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-02 09:00"
"""When the shape of this endpoint last changed (the service list follows the directory)."""


def init_app(app: Flask) -> None:
    """Serve the API on `app`, with its rate limits on the app's Redis."""
    runtime = runtime_of(app)
    settings = runtime.settings
    app.extensions["open311"] = Throttle(runtime.redis, settings.open311_key_limit,
                                         settings.open311_address_limit)
    app.register_blueprint(bp)


@bp.before_request
def _admit() -> None:
    """Every request: the address's rate limit, then the jurisdiction it names (if any)."""
    current_app.extensions["open311"].address(request.remote_addr)
    wanted = _settings().open311_jurisdiction
    given = (request.values.get("jurisdiction_id") or "").strip()
    if wanted and given and given != wanted:
        raise ApiError(404, f"jurisdiction_id {given!r} was not found; this endpoint serves {wanted!r}")


@bp.get(f"/discovery.{FMT}")
def discovery(fmt: str) -> Response:
    """The service discovery document: where the endpoint is and what it speaks."""
    base = _settings().public_base_url or request.host_url.rstrip("/")
    endpoint = {"specification": SPECIFICATION, "url": f"{base}{bp.url_prefix}", "changeset": CHANGESET,
                "type": "production", "formats": ["text/xml", "application/json"]}
    return answer(fmt, "discovery", {
        "changeset": CHANGESET, "contact": f"The 128 line's operators, at {base}",
        "key_service": "Ask the 128 line's operators for an API key for your app.",
        "endpoints": [endpoint]})


@bp.get(f"/services.{FMT}")
def services(fmt: str) -> Response:
    """GET Service List."""
    return answer(fmt, "services", catalogue.listing(_db(), _language()))


@bp.get(f"/services/<code>.{FMT}")
def service_definition(code: str, fmt: str) -> Response:
    """GET Service Definition."""
    session = _db()
    return answer(fmt, "service_definition",
                  catalogue.definition(session, catalogue.find(session, code), _language()))


@bp.post(f"/requests.{FMT}")
def post_request(fmt: str) -> Response:
    """POST Service Request: a ticket through intake, its tracking code at once."""
    session = _db()
    key_id = apikeys.live_key_id(session, (request.values.get("api_key") or "").strip())
    if key_id is None:
        raise ApiError(403, "Invalid api_key received -- can't proceed with create_request.")
    current_app.extensions["open311"].key(key_id)
    complaint, details = posting.read(session, request.form, key_id, _language())
    try:
        ticket = file_request(session, complaint, details, IntakeRules.from_settings(_settings()))
    except TooManyComplaints:
        raise ApiError(400, "this phone number filed as many complaints as allowed in an hour", 429) from None
    except DomainError as exc:
        raise ApiError(400, str(exc)) from None
    return answer(fmt, "service_requests", [{"service_request_id": ticket.code, "account_id": details.account_id}])


@bp.get(f"/requests.{FMT}")
def get_requests(fmt: str) -> Response:
    """GET Service Requests: by ids, or by status, service and dates, a page at a time."""
    session = _db()
    found = listing.find(session, listing.read_query(request.args))
    return answer(fmt, "service_requests", listing.documents(session, found))


@bp.get(f"/requests/<request_id>.{FMT}")
def get_request(request_id: str, fmt: str) -> Response:
    """GET Service Request."""
    session = _db()
    return answer(fmt, "service_requests", listing.documents(session, [listing.one(session, request_id)]))


@bp.get(f"/tokens/<token>.{FMT}")
def get_token(token: str, fmt: str) -> Response:
    """GET service_request_id from a token. Every service here is realtime: a POST answers
    with its service_request_id and never a token, so no token is ever found."""
    raise ApiError(404, f"token {token!r} was not found: requests here get their service_request_id at once")


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str) -> Response:
    """Anything else under the API: a wrong method on a resource (400), or no such resource."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in ("GET", "POST"):
        endpoint, _args = adapter.match(request.path, method)
        if endpoint != "open311.unknown" and method != request.method:
            raise ApiError(400, f"{request.method} is not allowed here; use {method}")
    raise ApiError(404, f"there is no resource {request.path!r}: see {bp.url_prefix}/discovery.xml")


@bp.errorhandler(ApiError)
def _refused(failure: ApiError) -> Response:
    response = error(_format(), failure)
    if isinstance(failure, Limited):
        response.headers["Retry-After"] = str(failure.wait)
    return response


@bp.errorhandler(NotFound)
def _not_found(_error: NotFound) -> Response:
    return error(_format(), ApiError(404, f"there is no resource {request.path!r}"))


@bp.errorhandler(InternalServerError)
def _fault(_error: InternalServerError) -> Response:
    """A fault (Flask logged it with its traceback): the specification's general service error."""
    sessions = runtime_of(current_app).db
    if sessions.registry.has():
        sessions.rollback()
    return error(_format(), ApiError(400, "General service error: the request failed; please tell the 128 "
                                          "line's operators if it keeps failing", 500))


def _format() -> str:
    fmt = (request.view_args or {}).get("fmt")
    return fmt or ("json" if request.path.endswith(".json") else "xml")


def _language() -> str:
    """fa unless the client prefers English (Accept-Language)."""
    return request.accept_languages.best_match(["fa", "en"]) or "fa"


def _settings() -> Settings:
    return runtime_of(current_app).settings


def _db() -> Session:
    """The request's session (the app ends it when the request ends)."""
    return runtime_of(current_app).db()
