"""What we text people, in Persian and English: one catalog, kept short (UCS-2: 70 a segment).

Every text sent to a citizen or official is here, so its length can be tested in one place.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

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
    "official_not_now": {
        "fa": "شکایت {code} در وضعیت «{status}» است و این پاسخ را نمی‌پذیرد.",
        "en": "Complaint {code} is {status} and cannot take this answer.",
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



# --- lengths and values for texts (SMS intake) ----------------------------------------------

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")
"""Characters GSM-7 sends as two (an escape and the character)."""


def segments(text: str) -> int:
    """How many SMS segments `text` takes: GSM-7 160/153, else UCS-2 70/67 (any Persian)."""
    if all(ch in GSM7 or ch in GSM7_EXTENSION for ch in text):
        units, single, part = len(text) + sum(ch in GSM7_EXTENSION for ch in text), 160, 153
    else:
        units, single, part = len(text.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / part)


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis, so a name cannot overflow a text."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
