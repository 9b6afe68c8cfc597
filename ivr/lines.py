"""Which of our two lines a call came in on: 128, or the overseas number.

The dialplan says so in the AGI URL (`intake?line=overseas`); without it, the number dialled
(`agi_dnid`, else `agi_extension`) is matched against FOAD_SERVICE_NUMBER and
FOAD_OVERSEAS_NUMBER; a call that matches neither is taken as one to 128.
"""

from __future__ import annotations

import re

from ivr.agienv import AgiRequest
from models.persian import latin_digits
from models.phones import identify
from models.settings import Settings

SERVICE = "128"
OVERSEAS = "overseas"
"""The line for Iranians abroad."""
LINES = (SERVICE, OVERSEAS)


def line_of(request: AgiRequest, settings: Settings) -> str:
    """The line of a call: the route's `?line=`, else the number dialled, else 128."""
    given = request.params.get("line")
    if given in LINES:
        return given
    for number in (request.env.get("agi_dnid"), request.env.get("agi_extension")):
        line = line_for(number, service_number=settings.service_number,
                        overseas_number=settings.overseas_number)
        if line is not None:
            return line
    return SERVICE


def line_for(number: str | None, *, service_number: str, overseas_number: str) -> str | None:
    """The line `number` reaches when dialled (any spelling of it), None if neither."""
    dialled = _normal(number)
    if not dialled:
        return None
    if dialled == _normal(service_number):
        return SERVICE
    if dialled == _normal(overseas_number):
        return OVERSEAS
    return None


def _normal(number: str | None) -> str:
    """A number in one spelling: E.164 when it is a phone number, else its digits (128)."""
    if not number:
        return ""
    return identify(number).e164 or re.sub(r"\D", "", latin_digits(number))
