"""POST requests: the form a GeoReport v2 client sends, read into a complaint for intake and
the request's other details; anything the specification or our rules refuse is an ApiError."""

from __future__ import annotations

import json
import math
import re
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from models.agencies import Agency
from models.app_requests import Details
from models.intake import Complaint
from models.provinces import BY_CODE
from models.tickets import Via
from open311 import catalogue
from open311.documents import ApiError

MAX_DESCRIPTION = 4000
"""Characters: the specification's limit on a description."""
MAX_FIELD = 120
"""Characters kept of a name, device or account id (longer ones are refused, not cut)."""
MAX_URL = 2000
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
"""attribute[code]=value, and attribute[code][]=value for each value of a multivaluelist."""


def read(session: Session, form: MultiDict[str, str], key_id: int, language: str) -> tuple[Complaint, Details]:
    """The complaint and details in a POST requests form (the API key already checked)."""
    code = _field(form, "service_code")
    if not code:
        raise ApiError(400, "service_code was not provided")
    service = catalogue.find(session, code)
    attributes = _attributes(form)
    agency = _agency(session, service, _one(attributes, catalogue.AGENCY))
    province = _province(_one(attributes, catalogue.PROVINCE)) or (agency.province_code if agency else None)
    media_url = _media_url(_field(form, "media_url", MAX_URL))
    complaint = Complaint(
        via=Via.APP, caller=_field(form, "phone", 40), text=_description(form),
        sector=service.sector, agency_id=agency.id if agency else None, category=service.category.code,
        province=province, language=language,
        media=[(media_url, "application/octet-stream")] if media_url else ())
    lat, long = _location(form)
    details = Details(
        api_key_id=key_id, service_code=service.code, fields=_fields(form), lat=lat, long=long,
        address_string=_field(form, "address_string", MAX_DESCRIPTION), address_id=_field(form, "address_id"),
        first_name=_field(form, "first_name"), last_name=_field(form, "last_name"),
        email=_field(form, "email", 254), device_id=_field(form, "device_id"),
        account_id=_field(form, "account_id"), attributes=attributes, media_url=media_url)
    return complaint, details


def _fields(form: MultiDict[str, str]) -> str:
    """Every field but the key, in a stable order (the same post sent again reads the same)."""
    return json.dumps(sorted((k, v) for k, v in form.items(multi=True) if k != "api_key"), ensure_ascii=False)


def _field(form: MultiDict[str, str], name: str, limit: int = MAX_FIELD) -> str | None:
    """A field's value, stripped; None when absent or empty (the specification's "optional")."""
    value = (form.get(name) or "").strip()
    if len(value) > limit:
        raise ApiError(400, f"{name} is longer than {limit} characters")
    return value or None


def _description(form: MultiDict[str, str]) -> str | None:
    # Kept as written, line breaks and all: only the length is checked.
    text = form.get("description") or ""
    if len(text) > MAX_DESCRIPTION:
        raise ApiError(400, f"description is longer than {MAX_DESCRIPTION} characters")
    return text if text.strip() else None


def _attributes(form: MultiDict[str, str]) -> dict[str, str | list[str]]:
    found: dict[str, str | list[str]] = {}
    for name in form:
        match = ATTRIBUTE.match(name)
        if match:
            values = [v.strip() for v in form.getlist(name)]
            found[match[1]] = values if match[2] else values[-1]
    return found


def _one(attributes: dict[str, str | list[str]], code: str) -> str | None:
    value = attributes.get(code)
    if isinstance(value, list):
        raise ApiError(400, f"attribute[{code}] takes one value")
    return value or None


def _agency(session: Session, service: catalogue.Service, code: str | None) -> Agency | None:
    if code is None:
        return None
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None or agency.sector_code != service.sector:
        raise ApiError(400, f"attribute[agency] {code!r} is not an agency of this service")
    return agency


def _province(code: str | None) -> str | None:
    if code is not None and code not in BY_CODE:
        raise ApiError(400, f"attribute[province] {code!r} is not a province")
    return code


def _media_url(url: str | None) -> str | None:
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApiError(400, "media_url must be an http or https URL")
    return url


def _location(form: MultiDict[str, str]) -> tuple[float | None, float | None]:
    lat, long = _field(form, "lat", 40), _field(form, "long", 40)
    if lat is None and long is None:
        return None, None
    try:
        point = float(lat or "nan"), float(long or "nan")
    except ValueError:
        point = (math.nan, math.nan)
    if not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
        raise ApiError(400, "lat and long must both be given, as WGS84 degrees")
    return point
