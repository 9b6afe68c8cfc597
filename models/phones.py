"""Caller numbers: any caller id or SMS sender turned into E.164 and a kind, never an exception."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType

from models.persian import latin_digits
from models.provinces import Province, by_area_code
from models.tickets import CallerKind

_WITHHELD_WORDS = {"", "unknown", "anonymous", "private", "restricted", "withheld", "unavailable"}
_URI_USER = re.compile(r"(?:sips?|tel):([^@;>]*)", re.IGNORECASE)
"""The user part of a SIP or tel URI ("sip:0912…@10.0.0.1", "<tel:+98…;phone-context=…>")."""
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
_IR_NATIONAL = re.compile(r"(?:\+98|0)([1-9][0-9]{9})")
"""An Iranian number as nearly every caller id and sender comes ("+98912…", "0218…"): ten
national digits, which `_by_shape` reads without phonenumbers when it can."""

_D = "[0-9\u06f0-\u06f9\u0660-\u0669]"  # Latin, Persian and Arabic-Indic digits
PHONE_IN_TEXT = re.compile(
    rf"(?<!{_D})(?:\+{_D}(?:[ -]?{_D}){{6,14}}|[0\u06f0\u0660]{_D}(?:[ -]?{_D}){{9,13}}"
    rf"|[9\u06f9\u0669][8\u06f8\u0668](?:[ -]?{_D}){{10}})(?!{_D})")
"""A phone number inside free text: +E.164, 0 and 10 or more digits (national, 00 abroad), or
98 and 10 digits; spaces or dashes between digits. A tracking code (10 digits, never a
leading 0) is not one. (Masked where the text is shown to inspectors, and in logs.)"""


@dataclass(frozen=True)
class Caller:
    """Who called or texted, as far as the number tells."""

    e164: str | None
    kind: CallerKind
    country: str | None = None
    """ISO 3166 alpha-2 of the number's country ("IR", "GB")."""
    province: Province | None = None
    """For an Iranian landline: the province of its area code."""

    @property
    def withheld(self) -> bool:
        """True when there is no number to call or text back."""
        return self.e164 is None

    @property
    def abroad(self) -> bool:
        """True for a foreign number."""
        return self.kind is CallerKind.FOREIGN


WITHHELD = Caller(None, CallerKind.WITHHELD)


@functools.lru_cache(maxsize=4096)
def identify(raw: str | None, region: str = "IR") -> Caller:
    """Classify a caller id or sender: "0912…", "0098…", "+98…", foreign, "unknown", garbage.
    Remembered for the latest numbers: a call's caller id is read as the call opens and again
    by intake, and a citizen texts more than once (a Caller is immutable)."""
    text = _clean(raw)
    if text.lower() in _WITHHELD_WORDS:
        return WITHHELD
    if text.startswith("00"):
        text = "+" + text[2:]
    national = _IR_NATIONAL.fullmatch(text) if region == "IR" else None
    # The commonest callers skip phonenumbers' parsing, a tenth of a webhook's own work;
    # a test holds the shortcut to the library on every range.
    return (national and _by_shape(national.group(1))) or _by_library(text, region)


def _by_shape(national: str) -> Caller | None:
    """What `_iranian` makes of ten national digits, known from their shape: from 9 (but
    94, where phonenumbers has fixed lines) a mobile whatever range it is in; from a
    province's area code a landline (no mobile range starts there). None otherwise."""
    if national[0] == "9":
        return None if national[1] == "4" else Caller("+98" + national, CallerKind.IR_MOBILE, "IR")
    province = by_area_code(national[:2])
    return Caller("+98" + national, CallerKind.IR_LANDLINE, "IR", province) if province else None


def _by_library(text: str, region: str) -> Caller:
    """`identify` of a cleaned text, by phonenumbers."""
    number = _parse(text, region)
    if number is None and text.isdigit() and not text.startswith("0"):
        # International digits a trunk sent without "+" or "00" ("447700900123"): read
        # them as such once they cannot be an Iranian number.
        number = _parse("+" + text, region)
    if number is None:
        return WITHHELD
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.country_code != 98:
        country = phonenumbers.region_code_for_number(number) or phonenumbers.region_code_for_country_code(number.country_code)
        return Caller(e164, CallerKind.FOREIGN, None if country == "ZZ" else country)
    return _iranian(number, e164)


def _parse(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    """The number, when phonenumbers finds one of a possible length in `text`."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


def _clean(raw: str | None) -> str:
    if raw is None:
        return ""
    text = str(raw)
    uri = _URI_USER.search(text)
    if uri:
        text = uri.group(1)
    # Keep what a number can be made of; caller-id text can carry anything.
    return re.sub(r"[^\d+A-Za-z]", "", latin_digits(text))


def _iranian(number: phonenumbers.PhoneNumber, e164: str) -> Caller:
    national = str(number.national_number)
    if len(national) != 10:
        return WITHHELD  # short codes, truncated ids: nothing we could call back
    kind = phonenumbers.number_type(number)
    province = by_area_code(national[:2])
    if kind in _MOBILE_TYPES:
        return Caller(e164, CallerKind.IR_MOBILE, "IR")
    if kind == PhoneNumberType.FIXED_LINE or province is not None:
        return Caller(e164, CallerKind.IR_LANDLINE, "IR", province)
    # 09… in a range newer than our metadata is still a mobile.
    if national.startswith("9"):
        return Caller(e164, CallerKind.IR_MOBILE, "IR")
    return WITHHELD


def province_of(raw: str | None) -> Province | None:
    """The province of an Iranian landline number, or None."""
    return identify(raw).province


def mask(number: str | None) -> str:
    """A number with its middle hidden ("+98912*****67"), enough to tell two callers apart."""
    if not number:
        return ""
    keep_head = 6 if number.startswith("+98") else 4
    hidden = max(len(number) - keep_head - 2, 0)
    return number[:keep_head] + "*" * hidden + number[keep_head + hidden:]
