"""What we text people, in Persian and English: one catalog, kept short (UCS-2: 70 a segment).

Every text sent to a citizen or official is here, so its length can be tested in one place.
"""

from __future__ import annotations

from models.persian import persian_digits
from models.tracking import for_reading, spaced

_TEXTS: dict[str, dict[str, str]] = {
    "tracking_code": {
        "fa": "شکایت شما در سامانه ۱۲۸ ثبت شد. کد پیگیری: {code}",
        "en": "Your complaint to 128 is registered. Tracking code: {code}",
    },
}


def render(key: str, language: str, **values: object) -> str:
    """The text `key` in `language` (fa unless en), with codes and numbers written for it."""
    language = "en" if language == "en" else "fa"
    code = values.pop("code", None)
    if code is not None:
        values["code"] = spaced(str(code)) if language == "en" else for_reading(str(code))
    text = _TEXTS[key][language].format(**values)
    return text if language == "en" else persian_digits(text)

