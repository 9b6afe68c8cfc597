"""The citizen page in headless Chromium on a phone-sized window (390 px): every step works
without JavaScript, reads at that width, and is screenshotted into test-artifacts/."""

import re

import pytest

from tests.citizen.conftest import MOBILE, code_in, png
from tests.citizen.test_following import resolved
from tests.console.browser import chromium, screenshot, site  # noqa: F401

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page(chromium):
    """A phone's browser with JavaScript off: the page must not need it."""
    context = chromium.new_context(locale="fa-IR", viewport=PHONE, java_script_enabled=False,
                                   device_scale_factor=2, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def fits(page) -> bool:
    """Nothing wider than the phone's screen (no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_filing_step_by_step_on_a_phone(page, site, session, texts, tmp_path):
    photo = tmp_path / "photo.png"
    photo.write_bytes(png())
    page.goto(site + "/")
    assert page.locator("html").get_attribute("dir") == "rtl" and fits(page)
    screenshot(page, "citizen-1-form")
    page.get_by_label("دستگاه", exact=True).select_option("municipality")
    page.get_by_label("موضوع شکایت", exact=True).select_option("delay")
    page.get_by_label("استان", exact=True).select_option("tehran")
    page.get_by_label("شرح شکایت", exact=True).fill("از ساعت هشت در صف بودم و باجه‌ها خالی بود.")
    page.get_by_label("عکس یا فیلم (اختیاری)", exact=True).set_input_files(str(photo))
    page.get_by_label("شمارهٔ همراه", exact=True).fill(MOBILE)
    screenshot(page, "citizen-2-filled")
    page.get_by_role("button", name="فرستادن کد تأیید").click()
    page.wait_for_url(re.compile(r"/confirm/"))
    screenshot(page, "citizen-3-code")
    otp = code_in([body for body in texts() if "کد تأیید" in body][-1])
    page.get_by_label("کد تأیید", exact=True).fill(otp)
    page.get_by_role("button", name="تأیید").click()
    page.wait_for_url(re.compile(r"/follow/\d{10}"))
    assert page.get_by_role("status").get_by_text("شکایت شما ثبت شد.").is_visible() and fits(page)
    screenshot(page, "citizen-4-tracking-code")


def test_following_seeing_the_result_and_rating_on_a_phone(page, site, session, texts):
    code = resolved(session, result="کارمند مربوط تذکر کتبی گرفت و باجه‌ها از فردا کامل است.")
    page.goto(site + "/follow")
    screenshot(page, "citizen-5-follow")
    page.get_by_label("کد پیگیری", exact=True).fill(code)
    page.get_by_role("button", name="دیدن وضعیت").click()
    page.wait_for_url(re.compile(rf"/follow/{code}"))
    assert fits(page)
    screenshot(page, "citizen-6-status")
    page.get_by_label("شمارهٔ همراه", exact=True).fill(MOBILE)
    page.get_by_role("button", name="دیدن نتیجه").click()
    page.wait_for_url(re.compile(r"/confirm/"))
    page.get_by_label("کد تأیید", exact=True).fill(code_in([b for b in texts() if "کد تأیید" in b][-1]))
    page.get_by_role("button", name="تأیید").click()
    assert page.get_by_text("باجه‌ها از فردا کامل است").is_visible()
    screenshot(page, "citizen-7-result-and-survey")
    page.get_by_label("۴", exact=True).check()
    page.get_by_role("button", name="ثبت نظر").click()
    assert page.get_by_role("status").get_by_text("ثبت شد").is_visible()
    screenshot(page, "citizen-8-rated")


def test_the_english_page_on_a_phone(page, site):
    page.goto(site + "/?lang=en")
    assert page.locator("html").get_attribute("dir") == "ltr" and fits(page)
    page.get_by_role("button", name="Send the confirmation code").focus()
    screenshot(page, "citizen-9-english")


def test_the_form_is_reached_in_reading_order_by_keyboard(page, site):
    page.goto(site + "/")
    order = []
    for _ in range(12):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    fields = [name for name in order if name in ("service", "category", "province", "text", "files", "mobile")]
    assert fields == ["service", "category", "province", "text", "files", "mobile"]
