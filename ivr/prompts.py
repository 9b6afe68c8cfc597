"""Every prompt the calls play, in Persian and English: one catalog, id → (fa, en).

The fixed prompts are below; numbers, digits and ticket statuses are generated; the sector
and category menus and the agency names are built from the directory, so `foad prompts
build` must run again after the directory changes. Sounds live where Asterisk looks for
them: `<sounds>/<language>/foad/<id>.wav`, and `<sounds>/<language>/digits/<n>.wav` for
SAY DIGITS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agencies import Agency, Sector
from models.categories import Category
from models.lookup import STATUS_LABELS
from models.persian import persian_digits
from models.sectors import sector_keys

LANGUAGES = ("fa", "en")


@dataclass(frozen=True)
class Prompt:
    """One thing the caller hears, in both languages."""

    id: str
    fa: str
    en: str

    def text(self, language: str) -> str:
        """The words in `language`."""
        return self.en if language == "en" else self.fa

    @property
    def path(self) -> str:
        """Where it lives under `<sounds>/<language>/`, without the extension."""
        return self.id if self.id.startswith("digits/") else f"foad/{self.id}"


def sound(prompt_id: str) -> str:
    """The name Asterisk plays a prompt by (relative to its language folder)."""
    return prompt_id if prompt_id.startswith("digits/") else f"foad/{prompt_id}"


def agency_prompt_id(code: str) -> str:
    """The prompt saying an agency's name."""
    return "agency_" + re.sub(r"[^a-z0-9]+", "_", code.lower()).strip("_")


_FIXED: dict[str, tuple[str, str]] = {
    "welcome": ("به سامانهٔ ۱۲۸، فوریت‌های اداری، خوش آمدید. این تماس ضبط می‌شود.",
                "Welcome to 128, the administrative emergencies line. This call is recorded."),
    "language_menu": ("برای ادامه به فارسی، یک را فشار دهید.", "For English, press 2."),
    "main_menu": ("برای ثبت شکایت تازه، یک را فشار دهید. برای پیگیری شکایت، دو را فشار دهید. "
                  "برای شنیدن دوباره، ستاره را فشار دهید.",
                  "To make a new complaint, press 1. To follow up a complaint, press 2. "
                  "To hear this again, press star."),
    "invalid_choice": ("این گزینه در فهرست نیست.", "That is not one of the choices."),
    "no_choice": ("انتخابی دریافت نشد.", "We did not hear a choice."),
    "goodbye_no_choice": ("متأسفانه انتخابی دریافت نکردیم. لطفاً دوباره تماس بگیرید. خدانگهدار.",
                          "Sorry, we did not receive a choice. Please call again. Goodbye."),
    "blocked_notice": ("از این شماره شکایت پذیرفته نمی‌شود. خدانگهدار.",
                       "Complaints are not taken from this number. Goodbye."),
    "province_ask": ("کد دو رقمی تلفن ثابت استان خود را وارد کنید، مثلاً ۲۱ برای تهران. "
                     "اگر نمی‌دانید، صفر را فشار دهید.",
                     "Enter your province's two-digit area code, for example 21 for Tehran. "
                     "If you do not know it, press 0."),
    "province_invalid": ("این کد استان شناخته نشد.", "We do not know that area code."),
    "record_instructions": ("پس از شنیدن بوق، شکایت خود را بیان کنید و در پایان، مربع را فشار دهید.",
                            "After the tone, describe your complaint; press the hash key when you are done."),
    "nothing_heard": ("صدایی ضبط نشد. لطفاً دوباره بگویید.", "We did not hear anything. Please try again."),
    "review_menu": ("برای ثبت شکایت، یک. برای شنیدن آنچه گفتید، دو. برای ضبط دوباره، سه را فشار دهید.",
                    "To submit your complaint, press 1. To listen to it, press 2. To record it again, press 3."),
    "submitting": ("سپاس. شکایت شما در حال ثبت است.", "Thank you. Your complaint is being registered."),
    "ticket_registered": ("شکایت شما ثبت شد. کد پیگیری شما:", "Your complaint is registered. Your tracking code is"),
    "code_repeat": ("تکرار می‌کنم:", "Once more:"),
    "code_by_sms": ("این کد با پیامک هم برایتان فرستاده می‌شود.", "It will also reach you by text message."),
    "goodbye": ("از تماس شما سپاسگزاریم. خدانگهدار.", "Thank you for calling. Goodbye."),
    "too_many": ("از این شماره در یک ساعت گذشته چند شکایت ثبت شده است. لطفاً بعداً تماس بگیرید.",
                 "Several complaints came from this number in the last hour. Please call again later."),
    "sorry_technical": ("متأسفانه مشکلی پیش آمد. لطفاً بعداً تماس بگیرید.",
                        "Sorry, something went wrong. Please call again later."),
    "code_ask": ("کد پیگیری ده رقمی را وارد کنید و در پایان مربع را فشار دهید.",
                 "Enter your ten-digit tracking code, then press the hash key."),
    "code_invalid": ("این کد معتبر نیست.", "That code is not valid."),
    "code_not_found": ("شکایتی با این کد پیدا نشد.", "No complaint has that code."),
    "agency_intro": ("دستگاه رسیدگی‌کننده:", "It is with"),
    "last_step": ("آخرین مرحله", "The last step was"),
    "time_left": ("از مهلت پاسخ", "Time left to answer:"),
    "deadline_passed": ("مهلت پاسخ گذشته است.", "The answer deadline has passed."),
    "result_intro": ("پاسخ دستگاه به شکایت شما:", "The answer to your complaint:"),
    "result_unreadable": ("پاسخ شکایت شما آماده است، اما اکنون امکان خواندن آن با تلفن نیست. "
                          "لطفاً بعداً دوباره تماس بگیرید.",
                          "The answer to your complaint is ready, but it cannot be read out by phone "
                          "right now. Please call again later."),
    "survey_ask": ("از این پاسخ چقدر راضی هستید؟ عددی از یک تا پنج را فشار دهید: "
                   "یک یعنی هیچ، پنج یعنی کاملاً راضی.",
                   "How satisfied are you with this answer? Press a number from 1 to 5: "
                   "1 not at all, 5 completely."),
    "survey_thanks": ("نظر شما ثبت شد. سپاس.", "Thank you, your rating is recorded."),
}

_UNITS: dict[str, tuple[str, str, str]] = {
    # id: (Persian, English singular, English plural); Persian nouns stay singular after numbers.
    "minutes_ago": ("دقیقه پیش بود", "minute ago", "minutes ago"),
    "hours_ago": ("ساعت پیش بود", "hour ago", "hours ago"),
    "days_ago": ("روز پیش بود", "day ago", "days ago"),
    "minutes_left": ("دقیقه باقی مانده است", "minute", "minutes"),
    "hours_left": ("ساعت باقی مانده است", "hour", "hours"),
    "days_left": ("روز باقی مانده است", "day", "days"),
}

_DIGITS_FA = ("صفر", "یک", "دو", "سه", "چهار", "پنج", "شش", "هفت", "هشت", "نه")
_DIGITS_EN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

BIGGEST_NUMBER = 99
"""Numbers spoken as a whole word go up to this; a duration is capped at it."""


def fixed() -> dict[str, Prompt]:
    """The prompts that do not depend on the directory."""
    prompts = {pid: Prompt(pid, fa, en) for pid, (fa, en) in _FIXED.items()}
    for pid, (fa, one, many) in _UNITS.items():
        prompts[pid] = Prompt(pid, fa, many)
        prompts[f"{pid}_1"] = Prompt(f"{pid}_1", fa, one)
    for n in range(1, BIGGEST_NUMBER + 1):
        prompts[f"number_{n}"] = Prompt(f"number_{n}", persian_digits(n), str(n))
    for d in range(10):
        prompts[f"digits/{d}"] = Prompt(f"digits/{d}", _DIGITS_FA[d], _DIGITS_EN[d])
    for status, (fa, en) in STATUS_LABELS.items():
        prompts[f"status_{status.value}"] = Prompt(f"status_{status.value}", f"وضعیت شکایت شما: {fa}.",
                                                   f"Your complaint is {en}.")
    return prompts


def catalog(session: Session) -> dict[str, Prompt]:
    """Every prompt: the fixed ones and those built from the directory in `session`."""
    prompts = fixed()
    for prompt in (sector_menu(session), category_menu(session), *agency_names(session)):
        prompts[prompt.id] = prompt
    return prompts


def category_keys(session: Session) -> dict[str, str]:
    """Menu key → complaint category code."""
    rows = session.execute(select(Category.menu_key, Category.code).order_by(Category.menu_key)).all()
    return {str(key): code for key, code in rows}


def sector_menu(session: Session) -> Prompt:
    """"For the municipality press 1, …" from the sectors the directory offers."""
    names = {s.code: (s.name_fa, s.name_en) for s in session.scalars(select(Sector))}
    items = [(key, names[code] if code else ("سایر دستگاه‌ها", "any other service"))
             for key, code in sector_keys(session).items()]
    return _menu("sector_menu", ("دستگاه مربوط را انتخاب کنید.", "Which service is it about?"), items)


def category_menu(session: Session) -> Prompt:
    """"For staff misconduct press 1, …" from the complaint categories."""
    labels = {c.code: (c.label_fa, c.label_en) for c in session.scalars(select(Category))}
    items = [(key, labels[code]) for key, code in category_keys(session).items()]
    return _menu("category_menu", ("موضوع شکایت را انتخاب کنید.", "What is the complaint about?"), items)


def _menu(pid: str, opening: tuple[str, str], items: list[tuple[str, tuple[str, str]]]) -> Prompt:
    fa = " ".join([opening[0], *(f"برای {fa}، {persian_digits(key)}." for key, (fa, _) in items)])
    en = " ".join([opening[1], *(f"For {en}, press {key}." for key, (_, en) in items)])
    return Prompt(pid, fa, en)


def agency_names(session: Session) -> list[Prompt]:
    """One prompt per agency saying its name (the follow-up tells who has the complaint)."""
    return [Prompt(agency_prompt_id(a.code), a.name_fa, a.name_en)
            for a in session.scalars(select(Agency).order_by(Agency.code)).unique()]
