"""Template filters: Jalali dates, Persian digits, status labels, durations, masked numbers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Mapping

import jdatetime

from flask import Flask

from console.access import mask_numbers
from models.lookup import STATUS_LABELS
from models.persian import jalali, persian_decimal, persian_digits
from models.phones import mask
from models.provinces import BY_CODE
from models.routing import summary
from models.tickets import Ticket, TicketEvent, TicketStatus

ROLE_LABELS = {"supervisor": "ناظر", "inspector": "بازرس", "admin": "مدیر سامانه"}
VIA_LABELS = {"call": "تماس", "sms": "پیامک", "web": "وب", "app": "اپلیکیشن"}
EVENT_LABELS = {
    "breach": "گذشتن از مهلت",
    "reminder_sent": "یادآوری به بازرس",
    "sms_appended": "پیامک افزوده به شکایت",
    "sms_failed": "پیامک فرستاده نشد",
    "sms_undelivered": "پیامک نرسید",
    "result_texted": "نتیجه برای شهروند پیامک شد",
    "result_waits": "نتیجه در انتظار تماس شهروند (پیامک نمی‌رسد)",
    "result_told": "نتیجه در تماس پیگیری برای شهروند خوانده شد",
    "routing_stuck": "ارجاع ممکن نشد: کسی برای پاسخ نیست",
    "escalation_stuck": "ارجاع به بالاتر ممکن نشد: کسی بالاتر نیست",
    "job_failed": "کار سامانه پس از چند تلاش شکست خورد؛ دوباره اجرا می‌شود",
    "survey_answered": "پاسخ نظرسنجی",
    "call_ended": "پایان تماس",
    "note": "یادداشت داخلی",
    "assigned": "واگذاری",
    "citizen_asked": "پرسش از شهروند (پیامک)",
    "citizen_answered": "پاسخ شهروند به پرسش",
    "triaged": "خواندن متن: دستگاه و استان پیشنهادی",
    "question_asked": "پرسش از شهروند با پیامک",
    "question_answered": "پاسخ شهروند به پرسش",
    "question_ignored": "شهروند به پرسش پاسخ نداد",
    "wait_ended": "پایان انتظار پاسخ: ارجاع با آنچه معلوم بود",
    "place_set": "تعیین دستگاه، موضوع یا استان",
    "returned": "بازگرداندن به کارگروه: ارجاع نادرست",
}
"""Timeline entries that are not statuses (models.events.Event); statuses use
models.lookup.STATUS_LABELS."""
MESSAGE_LABELS = {
    "received": "دریافت شد", "pending": "در صف", "no_provider": "فرستاده نشد: سامانهٔ پیامک نیست",
    "no_route": "فرستاده نشد: راهی برای این شماره تعریف نشده",
    "opted_out": "فرستاده نشد: لغو اشتراک", "sending": "در حال فرستادن", "queued": "در صف اپراتور",
    "sent": "فرستاده شد", "delivered": "رسید", "undelivered": "نرسید", "failed": "ناموفق",
    "tracking_code": "کد رهگیری", "referral": "ارجاع", "reminder": "یادآوری",
    "escalation": "ارجاع به بالاتر", "result": "نتیجه", "survey": "نظرسنجی", "reply": "پاسخ",
    "question": "پرسش از شهروند", "reopened": "بازگشایی",
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
LEVEL_LABELS = {"ministry": "ستاد وزارتخانه", "affiliate": "سازمان وابسته",
                "provincial": "ادارهٔ کل استان", "county": "ادارهٔ شهرستان"}
"""The directory's levels (models.agencies.Level) in Persian."""
FIGURE_LABELS = {
    "complaints": "شکایت‌ها", "answered": "با نخستین پاسخ", "resolved": "رسیدگی‌شده",
    "in_time": "پاسخ در مهلت", "late": "بی‌پاسخ در مهلت", "escalated": "ارجاع‌شده به مقام بالاتر",
    "reopened": "بازگشایی‌شده", "surveyed": "با پاسخ نظرسنجی", "satisfied": "رضایت ۴ و ۵",
}
"""The report cards' figures (models.reports.drill.FIGURES) as the drilled list names them."""
SUBJECT_WORDS = 8
"""Words of the complaint the list's subject column shows after its category."""
FIELD_LABELS = {"sector": "بخش خدمت", "agency": "دستگاه", "category": "موضوع", "province": "استان",
                "county": "شهرستان"}
"""Where a complaint goes, field by field (models/triage), in Persian."""
QUIET_NOTES = frozenset({"result_waits"})
"""Timeline events whose note is the workers' English for the logs; their label says it all."""


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


def decimal(value: float | None) -> str:
    """A number with one decimal in Persian ("۳٫۵"), or a dash."""
    return "—" if value is None else persian_decimal(value)


def event_detail(event: TicketEvent, agency_names: Mapping[str, str], people: Mapping[str, str]) -> str:
    """What a timeline entry adds to its label: where the ticket went, to whom it was given,
    a score, a call's length."""
    data, name = event.data or {}, lambda code: agency_names.get(code, code)
    if event.kind == "breach" and data.get("agency"):
        return name(data["agency"])
    if event.kind in ("referred", "escalated") and data.get("agency"):
        went = f"به {name(data['agency'])}"
        return f"از {name(data['previous_agency'])} {went}" if data.get("previous_agency") else went
    if event.kind == "assigned":
        person = lambda login: people.get(f"user:{login}", login or "")  # noqa: E731
        return f"به {person(data['assignee'])}" if data.get("assignee") else f"پایان واگذاری به {person(data.get('previous'))}"
    if event.kind == "survey_answered" and data.get("score") is not None:
        return persian_digits(f"{data['score']} از 5")
    if event.kind == "call_ended" and data.get("duration_s") is not None:
        return clock(data["duration_s"])
    return triage_detail(event.kind, data)


def triage_detail(kind: str, data: Mapping) -> str:
    """What triage's entries add: the words each sure field was read from, the field asked
    or answered (with the citizen's words), the fields a person set."""
    if kind == "triaged":
        read = data.get("reading", {})
        return "، ".join(f"{label}: {' / '.join(read[f]['evidence'])}" for f, label in FIELD_LABELS.items()
                        if read.get(f, {}).get("confident") and read[f].get("evidence"))
    if kind == "question_answered":
        return f"{FIELD_LABELS.get(data.get('field'), '')}: {data.get('words', '')}"
    if kind == "place_set":
        return "، ".join(FIELD_LABELS.get(f, f) for f in data.get("changes", {}))
    return FIELD_LABELS.get(data.get("field") or data.get("asking") or "", "")


def event_note(event: TicketEvent, show_numbers: bool = False) -> str | None:
    """The note a timeline entry shows: the people's words and the providers' errors, with
    phone numbers in them masked unless `show_numbers` (an sms_failed note quotes the To)."""
    if event.kind in QUIET_NOTES:
        return None
    return event.note if show_numbers else mask_numbers(event.note)


def actor_label(actor: str, people: Mapping[str, str] | None = None) -> str:
    """Who did a step, in Persian: the citizen, the system, an official or a console user by
    their name (`people`, from models.timeline.actor_names), else by what was recorded."""
    kind, _, who = actor.partition(":")
    if people and actor in people:
        return people[actor] if kind == "user" else f"بازرس {people[actor]}"
    named = {"citizen": "شهروند", "system": "سامانه", "official": "بازرس", "user": "کاربر"}
    return f"{named.get(kind, kind)} {persian_digits(who)}".strip()


def subject(ticket: Ticket) -> str:
    """A ticket's subject in the list: its category and the complaint's first words."""
    words = summary(ticket).split()
    first = " ".join(words[:SUBJECT_WORDS]) + (" …" if len(words) > SUBJECT_WORDS else "")
    return f"{ticket.category.label_fa}: {first}"


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
        sms_fa=lambda word: MESSAGE_LABELS.get(word, word), clock=clock, decimal=decimal,
        event_detail=event_detail, event_note=event_note,
        progress_fa=lambda step: PROGRESS_LABELS.get(step, step),
        line_fa=lambda line: LINE_LABELS.get(line, line),
        level_fa=lambda level: LEVEL_LABELS.get(level, level),
        subject=subject, figure_fa=lambda figure: FIGURE_LABELS.get(figure, figure),
    )
