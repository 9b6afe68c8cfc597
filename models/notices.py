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
    # --- workers (issue 6): officials are texted in Persian; {link} may be empty ---
    "referral": {
        "fa": "شکایت جدید ۱۲۸ | کد {code} | {category}: {summary} {link}",
        "en": "New 128 complaint | code {code} | {category}: {summary} {link}",
    },
    "escalation": {
        "fa": "مهلت گذشت؛ شکایت {code} به شما ارجاع شد | {category}: {summary} {link}",
        "en": "Deadline missed; complaint {code} is now yours | {category}: {summary} {link}",
    },
    "reminder": {
        "fa": "یادآوری ۱۲۸: مهلت پاسخ به شکایت {code} تا {due} است. {link}",
        "en": "128 reminder: complaint {code} must be answered by {due}. {link}",
    },
    "result": {
        "fa": "پاسخ شکایت {code} در ۱۲۸: {result}",
        "en": "Answer to your 128 complaint {code}: {result}",
    },
    "survey": {
        "fa": "از رسیدگی به شکایت {code} چقدر راضی هستید؟ عددی از ۱ (ناراضی) تا ۵ (بسیار راضی) بفرستید.",
        "en": "How satisfied are you with how complaint {code} was handled? Reply 1 (not at all) to 5 (very).",
    },
    "voice_complaint": {"fa": "شکایت صوتی", "en": "voice complaint"},
    "media_complaint": {"fa": "عکس یا فیلم", "en": "photo or video"},
}

VERBATIM = frozenset({"link", "summary", "result"})
"""Values kept exactly as given: links must stay Latin to work, and people's own words are
theirs (the rest of a Persian text gets Persian digits)."""
LIMIT = 134
"""Characters in two UCS-2 segments (67 each once split): the most a text of ours may take."""


def render(key: str, language: str, **values: object) -> str:
    """The text `key` in `language` (fa unless en), with codes and numbers written for it."""
    language = "en" if language == "en" else "fa"
    code = values.pop("code", None)
    if code is not None:
        values["code"] = spaced(str(code)) if language == "en" else for_reading(str(code))
    template = _TEXTS[key][language]
    if language == "fa":
        template = persian_digits(template)
        values = {k: v if k in VERBATIM else persian_digits(v) for k, v in values.items()}
    # strip: an empty {link} at the end must not leave a space behind
    return template.format(**values).strip()


def fit(key: str, language: str, field: str, **values: object) -> str:
    """`render`, with the text in `field` cut short (ending in "…") to keep within LIMIT."""
    whole = " ".join(str(values.pop(field, "")).split())
    text = render(key, language, **values, **{field: whole})
    if len(text) <= LIMIT:
        return text
    room = LIMIT - len(render(key, language, **values, **{field: "…"}))
    cut = whole[:max(room, 0)]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]  # end on a whole word when there is one
    return render(key, language, **values, **{field: cut + "…"})

