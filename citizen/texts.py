"""The page's words in Persian and English (the texts it sends by SMS are in models.notices)."""

from __future__ import annotations

from models.persian import persian_digits

WORDS: dict[str, tuple[str, str]] = {
    "title": ("سامانه ۱۲۸ — شکایت از دستگاه‌های اجرایی", "128 — complaints about public offices"),
    "skip": ("رفتن به محتوا", "Skip to content"),
    "other_language": ("English", "فارسی"),
    "new": ("ثبت شکایت", "File a complaint"),
    "follow": ("پیگیری شکایت", "Follow a complaint"),
    "intro": ("از برخورد نامناسب، نبودن کارمند، اتلاف وقت یا هر کاستی در خدمت یک دستگاه اجرایی شکایت کنید. "
              "کد پیگیری بی‌درنگ به شما داده و پیامک می‌شود.",
              "Complain about rude staff, an empty desk, wasted time or any failing of a public office. "
              "You get a tracking code at once, by SMS too."),
    "service": ("دستگاه", "Service"),
    "category": ("موضوع شکایت", "What went wrong"),
    "province": ("استان", "Province"),
    "province_unknown": ("نمی‌دانم / خارج از کشور", "I do not know / abroad"),
    "text": ("شرح شکایت", "Your complaint"),
    "text_hint": ("چه شد، کجا و چه زمانی؟ (تا ۴۰۰۰ نویسه)", "What happened, where and when? (up to 4,000 characters)"),
    "files": ("عکس یا فیلم (اختیاری)", "Photos or a video (optional)"),
    "files_hint": ("تا سه عکس یا یک فیلم کوتاه؛ هر پرونده تا {mb} مگابایت.",
                   "Up to three photos or one short video; each up to {mb} MB."),
    "mobile": ("شمارهٔ همراه", "Mobile number"),
    "mobile_hint": ("کد تأیید به این شماره پیامک می‌شود.", "A confirmation code is texted to this number."),
    "send_code": ("فرستادن کد تأیید", "Send the confirmation code"),
    "choose": ("انتخاب کنید", "Choose"),
    "errors_title": ("لطفاً این موارد را درست کنید:", "Please correct these:"),
    "files_again": ("پرونده‌ها را دوباره انتخاب کنید.", "Choose your files again."),
    "confirm_title": ("تأیید شمارهٔ همراه", "Confirm your mobile number"),
    "confirm_sent": ("کد تأیید به {number} پیامک شد. آن را اینجا بنویسید.",
                     "A code was texted to {number}. Type it here."),
    "code": ("کد تأیید", "Confirmation code"),
    "confirm": ("تأیید", "Confirm"),
    "start_again": ("از نو آغاز کنید", "Start again"),
    "registered": ("شکایت شما ثبت شد.", "Your complaint is registered."),
    "tracking_code": ("کد پیگیری", "Tracking code"),
    "tracking_sms": ("این کد برای شما پیامک هم شد. آن را نگه دارید.", "It was texted to you too. Keep it."),
    "follow_intro": ("کد پیگیری را بنویسید تا وضعیت شکایت را ببینید.", "Type the tracking code to see the status."),
    "look_up": ("دیدن وضعیت", "See the status"),
    "status": ("وضعیت", "Status"),
    "agency": ("دستگاه رسیدگی‌کننده", "Agency"),
    "being_chosen": ("در حال تعیین", "being chosen"),
    "last_step": ("آخرین اقدام", "Last step"),
    "due": ("مهلت پاسخ", "Answer due"),
    "mine_title": ("شکایت را خودتان ثبت کرده‌اید؟", "Did you file this complaint?"),
    "mine_intro": ("با شمارهٔ همراهی که با آن ثبت کردید، نتیجه را ببینید و به آن نمره دهید.",
                   "With the mobile number you filed it from, see the result and rate it."),
    "see_result": ("دیدن نتیجه", "See the result"),
    "result": ("نتیجهٔ رسیدگی", "The result"),
    "no_result": ("هنوز پاسخی نرسیده است.", "No answer yet."),
    "survey": ("از رسیدگی به شکایت چقدر راضی هستید؟", "How satisfied are you with how it was handled?"),
    "score_1": ("۱ — ناراضی", "1 — not at all"), "score_2": ("۲", "2"), "score_3": ("۳", "3"),
    "score_4": ("۴", "4"), "score_5": ("۵ — بسیار راضی", "5 — very"),
    "rate": ("ثبت نظر", "Send my rating"),
    "rated": ("نظر شما ({score} از ۵) ثبت شد. سپاس.", "Your rating ({score} of 5) is recorded. Thank you."),
    # --- refusals ---
    "err_service": ("دستگاه را انتخاب کنید.", "Choose the service."),
    "err_category": ("موضوع شکایت را انتخاب کنید.", "Choose what went wrong."),
    "err_province": ("استان را از فهرست انتخاب کنید.", "Choose a province from the list."),
    "err_text": ("شرح شکایت را بنویسید.", "Write your complaint."),
    "err_text_long": ("شرح شکایت بیش از ۴۰۰۰ نویسه است.", "The complaint is longer than 4,000 characters."),
    "err_mobile": ("یک شمارهٔ همراه بنویسید (مانند ۰۹۱۲۱۲۳۴۵۶۷).", "Give a mobile number (such as 09121234567)."),
    "err_file_kind": ("«{name}» عکس یا فیلم نیست.", "“{name}” is not a photo or video."),
    "err_file_size": ("«{name}» بزرگ‌تر از {mb} مگابایت است.", "“{name}” is larger than {mb} MB."),
    "err_file_count": ("حداکثر سه عکس یا یک فیلم.", "Three photos or one video at most."),
    "err_too_many_codes": ("برای این شماره یا از این نشانی کد زیادی خواسته شده است؛ ساعتی بعد بکوشید.",
                           "Too many codes were asked for this number or from here; try again in an hour."),
    "err_opted_out": ("این شماره پیامک‌های ۱۲۸ را لغو کرده است؛ برای از سرگیری «شروع» را به ۱۲۸ پیامک کنید.",
                      "This number stopped texts from 128; text START to 128 to get them again."),
    "err_blocked": ("این شماره مسدود است.", "This number is blocked."),
    "err_wrong_code": ("کد درست نیست؛ {tries} بار دیگر می‌توانید بکوشید.", "Wrong code; {tries} more tries."),
    "err_ended": ("این کد دیگر معتبر نیست (گذشت زمان یا سه بار اشتباه). از نو آغاز کنید.",
                  "This code is no longer valid (it expired, or was wrong three times). Start again."),
    "err_wait": ("شکایت‌های اخیر شما ثبت شده است؛ کمی بعد دوباره بکوشید.",
                 "Your recent complaints are registered; please try again later."),
    "err_code_bad": ("این کد پیگیری درست نیست.", "That tracking code is not valid."),
    "err_code_unknown": ("شکایتی با این کد پیدا نشد.", "No complaint has that code."),
    "err_form": ("فرم منقضی شده است؛ صفحه را دوباره باز کنید.", "The form expired; open the page again."),
    "err_survey": ("این شکایت اکنون نظرسنجی ندارد.", "This complaint has no survey to answer now."),
}


def word(key: str, language: str, **values: object) -> str:
    """The page's text `key` in `language`, numbers in Persian digits for Persian."""
    fa, en = WORDS[key]
    if language == "en":
        return en.format(**values)
    return fa.format(**{k: persian_digits(v) for k, v in values.items()})
