"""What we text people, in Persian and English: one catalog, kept short (UCS-2: 70 a segment).

Every text sent to a citizen or official is here, so its length can be tested in one place.
A text's encoding follows from its characters: all in GSM-7 (basic or extension table) is
160 a segment, 153 once split; any other character (a Persian letter or digit, an emoji,
"…", the mark before a Persian code) makes the whole text UCS-2: 70, then 67.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Mapping

from models.persian import TEHRAN, jalali, persian_digits
from models.tracking import for_reading, spaced

_TEXTS: dict[str, dict[str, str]] = {
    "tracking_code": {
        "fa": "شکایت شما در سامانه ۱۲۸ ثبت شد. کد پیگیری: {code}",
        "en": "Your complaint to 128 is registered. Tracking code: {code}",
    },
    # --- answers to inbound texts (sms/replies.py) -----------------------------------------
    "sms_help": {
        "fa": "سامانه ۱۲۸: شکایت خود از دستگاه‌های اجرایی را پیامک کنید. پیگیری: کد پیگیری را بفرستید. توقف پیامک‌ها: لغو",
        "en": "128: text your complaint about a public office. To follow one up, send its tracking code. To stop texts, send STOP.",
    },
    "sms_opted_out": {
        "fa": "دیگر پیامکی از ۱۲۸ برای شما فرستاده نمی‌شود. برای از سرگیری «شروع» را بفرستید.",
        "en": "You will get no more texts from 128. Send START to get them again.",
    },
    "sms_opted_in": {
        "fa": "پیامک‌های سامانه ۱۲۸ دوباره برای شما فرستاده می‌شود.",
        "en": "You will get texts from 128 again.",
    },
    "sms_start_at_twilio": {
        "fa": "برای از سرگیری پیامک‌های ۱۲۸ کلمهٔ START را بفرستید.",
        "en": "To get texts from 128 again, send START.",
    },
    "sms_appended": {
        "fa": "پیام شما به شکایت {code} افزوده شد.",
        "en": "Your message was added to complaint {code}.",
    },
    "sms_please_wait": {
        "fa": "شکایت‌های اخیر شما ثبت شده است. لطفاً کمی بعد دوباره پیامک بزنید.",
        "en": "Your recent complaints are registered. Please wait a while before texting a new one.",
    },
    "sms_status": {
        "fa": "شکایت {code}: {status}\nدستگاه: {agency}\nآخرین اقدام: {time}",
        "en": "Complaint {code}: {status}. Agency: {agency}. Last step: {time}",
    },
    "sms_status_yours": {
        "fa": "شکایت شما {code}: {status}\nدستگاه: {agency}\nمهلت پاسخ: {left}",
        "en": "Your complaint {code}: {status}. Agency: {agency}. Answer due in {left}.",
    },
    "hours_minutes": {
        "fa": "{hours} ساعت و {minutes} دقیقه",
        "en": "{hours} h {minutes} min",
    },
    "minutes": {
        "fa": "{minutes} دقیقه",
        "en": "{minutes} min",
    },
    "sms_no_agency": {
        "fa": "در حال تعیین",
        "en": "being chosen",
    },
    "sms_bad_code": {
        "fa": "این کد پیگیری درست نیست. لطفاً آن را دوباره بررسی کنید و بفرستید.",
        "en": "That tracking code is not valid. Please check it and send it again.",
    },
    "sms_unknown_code": {
        "fa": "شکایتی با کد {code} پیدا نشد.",
        "en": "No complaint has the code {code}.",
    },
    "sms_survey_thanks": {
        "fa": "از نظر شما ({score} از ۵) سپاسگزاریم. شکایت {code} بسته شد.",
        "en": "Thank you for your rating ({score} of 5). Complaint {code} is closed.",
    },
    "sms_survey_already": {
        "fa": "نظر شما دربارهٔ شکایت {code} پیش‌تر ثبت شده است. سپاس.",
        "en": "Your rating of complaint {code} was already recorded. Thank you.",
    },
    "official_usage": {
        "fa": "برای پاسخ بفرستید: «کد ok» یعنی دریافت شد، یا «کد متن نتیجه» برای اعلام نتیجه.",
        "en": "Reply '<code> ok' to acknowledge a complaint or '<code> <result>' to answer it.",
    },
    "official_acknowledged": {
        "fa": "دریافت شکایت {code} ثبت شد. مهلت پاسخ همچنان می‌گذرد.",
        "en": "Complaint {code} acknowledged. The answer deadline still runs.",
    },
    "official_resolved": {
        "fa": "نتیجهٔ شکایت {code} ثبت شد و برای شهروند فرستاده می‌شود.",
        "en": "The result of complaint {code} is recorded and will be texted to the citizen.",
    },
    "official_not_yours": {
        "fa": "شکایت {code} به شما یا دستگاه شما ارجاع نشده است.",
        "en": "Complaint {code} is not referred to you or your agency.",
    },
    "official_moved": {
        "fa": "شکایت {code} اکنون در دست {agency} است.",
        "en": "Complaint {code} is now with {agency}.",
    },
    "official_not_now": {
        "fa": "شکایت {code} در وضعیت «{status}» است و این پاسخ را نمی‌پذیرد.",
        "en": "Complaint {code} is {status} and cannot take this answer.",
    },
    # --- where a texted complaint goes: questions (models/questions.py), at most two -------
    "registered_ask": {
        "fa": "ثبت شد. کد پیگیری {code}\n{ask}",
        "en": "Your complaint to 128 is registered. Tracking code: {code}\n{ask}",
    },
    "question_sector": {
        "fa": "کدام دستگاه؟ {menu}",
        "en": "Which service? Reply {menu}",
    },
    "question_province": {
        "fa": "کدام استان؟ پیش‌شماره یا نامش را بفرستید (۲۱ تهران، ۸۱ همدان …)",
        "en": "Which province? Reply its area code (21 Tehran, 81 Hamedan ...) or its name.",
    },
    "answer_next": {
        "fa": "سپاس. {ask}",
        "en": "Thank you. {ask}",
    },
    "answer_done": {
        "fa": "سپاس. شکایت {code} به دستگاه مربوط ارجاع می‌شود.",
        "en": "Thank you. Complaint {code} goes to the office concerned.",
    },
    # The sector menu's words, short enough for the menu and the code in two segments.
    "sector_municipality": {"fa": "شهرداری", "en": "city hall"},
    "sector_banks": {"fa": "بانک", "en": "bank"},
    "sector_health_insurance": {"fa": "درمان", "en": "health"},
    "sector_tax": {"fa": "مالیات", "en": "tax"},
    "sector_civil_registry": {"fa": "ثبت احوال", "en": "civil registry"},
    "sector_utilities": {"fa": "آب و برق", "en": "water/power/gas"},
    "sector_education": {"fa": "آموزش", "en": "education"},
    "sector_social_security": {"fa": "تامین اجتماعی", "en": "social security"},
    "sector_other": {"fa": "سایر", "en": "other"},
    # --- workers: officials are texted in Persian; {link} may be empty ---
    "referral": {
        "fa": "شکایت جدید ۱۲۸ | کد {code} | {category}: {summary} {link}",
        "en": "New 128 complaint | code {code} | {category}: {summary} {link}",
    },
    "escalation": {
        "fa": "مهلت گذشت؛ شکایت {code} به شما ارجاع شد | {category}: {summary} {link}",
        "en": "Late: complaint {code} is now yours | {category}: {summary} {link}",
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
    "phone_check": {
        "fa": "کد تأیید سامانه ۱۲۸: {otp}\nاین کد را به هیچ‌کس ندهید.",
        "en": "Your 128 confirmation code: {otp}. Do not share it with anyone.",
    },
    "reopened": {
        "fa": "بازگشایی (نتیجه پذیرفته نشد): شکایت {code} | {category}: {summary} {link}",
        "en": "Reopened (result disputed): {code} | {category}: {summary} {link}",
    },
    # --- the console asks the complainant; the answer joins the ticket (models/asking.py) ---
    "question": {
        "fa": "۱۲۸، شکایت {code}: {question} پاسخ را پیامک کنید.",
        "en": "128, complaint {code}: {question} Please reply by text.",
    },
    "sms_answer_received": {
        "fa": "پاسخ شما به شکایت {code} افزوده شد. سپاس.",
        "en": "Your answer was added to complaint {code}. Thank you.",
    },
    "voice_complaint": {"fa": "شکایت صوتی", "en": "voice complaint"},
    "media_complaint": {"fa": "عکس یا فیلم", "en": "photo or video"},
}

VERBATIM = frozenset({"link", "summary", "result", "question"})
"""Values kept exactly as given: links must stay Latin to work, and people's own words are
theirs (the rest of a Persian text gets Persian digits)."""
MAX_SEGMENTS = 2
"""The most segments a text of ours may take (a result, the official's own words, excepted)."""
LIMIT = 134
"""UTF-16 units in two UCS-2 segments (67 each once split)."""
GSM7_LIMIT = 306
"""Septets in two GSM-7 segments (153 each once split)."""
ELLIPSIS = "…"
GSM7_ELLIPSIS = "..."
""""…" is not GSM-7: a text GSM-7 can carry is cut with three dots, and stays GSM-7."""


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


def sector_menu(keys: Mapping[str, str | None], language: str) -> str:
    """The service menu as a text offers it, on the IVR's keys: "۱ شهرداری ۲ بانک … ۹ سایر"
    ("1 city hall, 2 bank, … 9 other" in English, where commas cost one septet each)."""
    items = [f"{key} {render('sector_' + (code or 'other'), language)}" for key, code in keys.items()]
    return persian_digits(" ".join(items)) if language != "en" else ", ".join(items)


def fit(key: str, language: str, field: str, **values: object) -> str:
    """`render`, with the text in `field` cut short (ending in "…") to keep within
    MAX_SEGMENTS of the text's own encoding."""
    whole = " ".join(str(values.pop(field, "")).split())
    text = render(key, language, **values, **{field: whole})
    if segments(text) <= MAX_SEGMENTS:
        return text
    gsm = gsm7(text)
    mark, limit = (GSM7_ELLIPSIS, GSM7_LIMIT) if gsm else (ELLIPSIS, LIMIT)
    room = limit - _units(render(key, language, **values, **{field: mark}), gsm)
    cut = _prefix(whole, room, gsm)
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]  # end on a whole word when there is one
    return render(key, language, **values, **{field: cut + mark})


def _prefix(text: str, room: int, gsm: bool) -> str:
    """The longest start of `text` within `room` units (an emoji takes two in UCS-2, a
    GSM-7 extension character two septets)."""
    used = 0
    for n, ch in enumerate(text):
        used += _units(ch, gsm)
        if used > room:
            return text[:n]
    return text


# --- lengths and values for texts (SMS intake) ----------------------------------------------

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")
"""Characters GSM-7 sends as two (an escape and the character)."""


def gsm7(text: str) -> bool:
    """True when GSM-7 can carry every character (basic or extension table); else UCS-2."""
    return all(ch in GSM7 or ch in GSM7_EXTENSION for ch in text)


def _units(text: str, gsm: bool) -> int:
    """What `text` takes of a segment: GSM-7 septets (an extension character is an escape
    and itself), or UTF-16 units (a character outside the BMP, as most emoji, is two)."""
    if gsm:
        return len(text) + sum(ch in GSM7_EXTENSION for ch in text)
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    """How many SMS segments `text` takes: GSM-7 160/153, else UCS-2 70/67."""
    gsm = gsm7(text)
    single, part = (160, 153) if gsm else (70, 67)
    units = _units(text, gsm)
    return 1 if units <= single else math.ceil(units / part)


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis, so a name cannot overflow a text."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def moment(at: datetime, language: str) -> str:
    """A time for a text: Jalali in Persian, Gregorian in English, both Tehran time."""
    if language == "en":
        return at.astimezone(TEHRAN).strftime("%Y-%m-%d %H:%M")
    return jalali(at)


def duration(left: timedelta, language: str) -> str:
    """Time left, in hours and minutes ("2 h 5 min", "۲ ساعت و ۵ دقیقه")."""
    hours, minutes = divmod(int(left.total_seconds() // 60), 60)
    if hours:
        return render("hours_minutes", language, hours=hours, minutes=minutes)
    return render("minutes", language, minutes=minutes)
