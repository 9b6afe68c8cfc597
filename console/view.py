"""Template filters: Jalali dates, Persian digits, status labels, durations, masked numbers."""

from __future__ import annotations

from datetime import date, datetime

import jdatetime

from flask import Flask

from console.access import mask
from models.lookup import STATUS_LABELS
from models.persian import jalali, persian_digits
from models.provinces import BY_CODE
from models.tickets import TicketStatus

ROLE_LABELS = {"supervisor": "ناظر", "inspector": "بازرس", "admin": "مدیر سامانه"}
VIA_LABELS = {"call": "تماس", "sms": "پیامک", "web": "وب", "app": "اپلیکیشن"}
EVENT_LABELS = {
    "breach": "گذشتن از مهلت",
    "reminder_sent": "یادآوری به بازرس",
    "sms_appended": "پیامک افزوده به شکایت",
    "sms_failed": "پیامک فرستاده نشد",
    "sms_undelivered": "پیامک نرسید",
    "result_texted": "نتیجه برای شهروند پیامک شد",
    "result_waits": "نتیجه در انتظار تماس شهروند (تلفن ثابت)",
    "survey_answered": "پاسخ نظرسنجی",
}
"""Timeline entries that are not statuses; statuses use models.lookup.STATUS_LABELS."""
MESSAGE_LABELS = {
    "received": "دریافت شد", "pending": "در صف", "no_provider": "فرستاده نشد: سامانهٔ پیامک نیست",
    "opted_out": "فرستاده نشد: لغو اشتراک", "sending": "در حال فرستادن", "queued": "در صف اپراتور",
    "sent": "فرستاده شد", "delivered": "رسید", "undelivered": "نرسید", "failed": "ناموفق",
    "tracking_code": "کد رهگیری", "referral": "ارجاع", "reminder": "یادآوری",
    "escalation": "ارجاع به بالاتر", "result": "نتیجه", "survey": "نظرسنجی", "reply": "پاسخ",
}
"""SMS statuses and purposes (models.messages) in Persian, for the ticket's SMS thread."""
PROGRESS_LABELS = {
    "answered": "پاسخ داده شد", "blocked": "شمارهٔ مسدود؛ قطع شد", "language": "منوی زبان",
    "menu": "منوی اصلی", "sector": "انتخاب دستگاه", "category": "انتخاب موضوع",
    "province": "انتخاب استان", "recording": "ضبط شکایت", "review": "بازشنوی پیش از ثبت",
    "submitted": "شکایت ثبت شد", "follow_up": "پیگیری: وارد کردن کد",
    "followed_up": "پیگیری: وضعیت را شنید",
}
"""How far a caller got (ivr.visit.Step, the calls' `progress`) in Persian."""
LINE_LABELS = {"128": "۱۲۸", "overseas": "خارج از کشور"}


def jalali_filter(moment: datetime | None, with_time: bool = True) -> str:
    """A moment as a Persian Jalali date in Tehran time, or a dash."""
    return jalali(moment, with_time=with_time) if moment else "—"


def jalali_date(day: date | None) -> str:
    """A calendar date as a Persian Jalali date ("۱۴۰۳/۰۱/۰۱"), or a dash."""
    return persian_digits(jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d")) if day else "—"


def status_label(status: str) -> str:
    """A status in Persian."""
    try:
        return STATUS_LABELS[TicketStatus(status)][0]
    except ValueError:
        return EVENT_LABELS.get(status, status)


def duration(seconds: float | None) -> str:
    """A span in Persian words: "۲ ساعت و ۵ دقیقه", or a dash when unknown."""
    if seconds is None:
        return "—"
    minutes = int(round(seconds / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} روز" if days else "", f"{hours} ساعت" if hours else "",
             f"{mins} دقیقه" if mins or not (days or hours) else ""]
    return persian_digits(" و ".join(p for p in parts if p))


def clock(seconds: int | None) -> str:
    """A call's length as minutes and seconds in Persian digits ("۲:۰۵"), or a dash."""
    if seconds is None:
        return "—"
    return persian_digits(f"{seconds // 60}:{seconds % 60:02d}")


def actor_label(actor: str) -> str:
    """Who did a step, in Persian: the citizen, the system, an official, or a console user."""
    kind, _, who = actor.partition(":")
    named = {"citizen": "شهروند", "system": "سامانه", "official": "بازرس", "user": "کاربر"}
    return f"{named.get(kind, kind)} {persian_digits(who)}".strip()


def percent(share: float | None) -> str:
    """A share (0-1) as a Persian percentage, or a dash."""
    return "—" if share is None else persian_digits(f"{share * 100:.0f}") + "٪"


def province_name(code: str | None) -> str:
    """A province's Persian name."""
    return BY_CODE[code].name_fa if code in BY_CODE else "—"


def register_filters(app: Flask) -> None:
    """Make the filters available to every template."""
    app.jinja_env.filters.update(
        jalali=jalali_filter, jdate=jalali_date, fa=persian_digits, status_fa=status_label, duration=duration,
        percent=percent, actor=actor_label, mask=mask, province=province_name,
        via_fa=lambda via: VIA_LABELS.get(via, via),
        role_fa=lambda role: ROLE_LABELS.get(role, role),
        sms_fa=lambda word: MESSAGE_LABELS.get(word, word), clock=clock,
        progress_fa=lambda step: PROGRESS_LABELS.get(step, step),
        line_fa=lambda line: LINE_LABELS.get(line, line),
    )
