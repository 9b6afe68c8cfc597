"""Filing on the page: the form, a code texted to the mobile, the ticket only once the code is
typed back, its tracking code on the page and by SMS; uploads checked by their bytes."""

from pathlib import Path

from sqlalchemy import func, select

from models.media import Media, MediaStatus
from models.messages import Message, Purpose
from models.phone_checks import PhoneCheck
from models.tickets import Ticket, Via
from tests.citizen.conftest import E164, JPEG, MP4, SVG, code_in, png, token_of, upload


def tickets(session) -> list[Ticket]:
    session.rollback()
    found = list(session.scalars(select(Ticket)))
    session.rollback()
    return found


def test_the_form_offers_the_ivr_lists_in_persian_right_to_left(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in page
    for label in ('for="service"', 'for="category"', 'for="province"', 'for="text"', 'for="files"', 'for="mobile"'):
        assert label in page
    assert ">شهرداری<" in page and ">سایر دستگاه‌ها<" in page and ">برخورد نامناسب کارکنان<" in page
    assert ">تهران<" in page and ">همدان<" in page and ">اصفهان<" not in page  # provinces with agencies


def test_english_on_request_and_kept_for_the_visit(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page and ">Municipality<" in page
    assert '<html lang="en"' in client.get("/follow").get_data(as_text=True)


def test_a_complaint_is_registered_only_once_the_texted_code_is_typed(client, session, file_complaint,
                                                                       confirm, texts, settings):
    sent = file_complaint([upload(png(), "a.png"), upload(JPEG, "b.jpg")])
    assert sent.status_code == 302 and "/confirm/" in sent.location
    assert tickets(session) == []
    [otp_text] = texts()
    assert "کد تأیید سامانه ۱۲۸" in otp_text
    done = confirm(sent.location, code_in(otp_text))
    assert done.status_code == 302 and "new=1" in done.location
    [ticket] = tickets(session)
    assert (ticket.via, ticket.caller, ticket.sector_code, ticket.category_code, ticket.province_code) == (
        Via.WEB, E164, "municipality", "delay", "tehran")
    media = list(session.scalars(select(Media).where(Media.ticket_id == ticket.id).order_by(Media.id)))
    assert [(m.status, m.content_type) for m in media] == [(MediaStatus.STORED, "image/png"),
                                                          (MediaStatus.STORED, "image/jpeg")]
    assert (Path(settings.media_dir) / media[0].path).read_bytes() == png()
    page = client.get(done.location).get_data(as_text=True)
    assert "شکایت شما ثبت شد" in page and ticket.code[:3] not in page  # the code in Persian digits
    code_text = texts()[-1]
    assert code_in(code_text.replace("-", "")) and "کد پیگیری" in code_text
    purposes = session.scalars(select(Message.purpose).where(Message.number == E164).order_by(Message.id)).all()
    assert purposes == [Purpose.PHONE_CHECK, Purpose.TRACKING_CODE]


def test_the_code_page_sent_again_makes_no_second_ticket(client, session, file_complaint, confirm, texts):
    sent = file_complaint()
    code = code_in(texts()[0])
    first = confirm(sent.location, code)
    again = confirm(sent.location, code)
    assert again.location == first.location and len(tickets(session)) == 1


def test_three_wrong_codes_end_the_check(client, session, file_complaint, confirm, texts):
    sent = file_complaint()
    right = code_in(texts()[0])
    wrong = "000000" if right != "000000" else "111111"
    first = confirm(sent.location, wrong)
    assert first.status_code == 400 and "۲ بار دیگر" in first.get_data(as_text=True)
    confirm(sent.location, wrong)
    third = confirm(sent.location, wrong)
    assert third.status_code == 400 and "از نو آغاز کنید" in third.get_data(as_text=True)
    assert confirm(sent.location, right).status_code == 400 and tickets(session) == []


def test_a_code_is_stored_only_as_a_keyed_hash(session, file_complaint, texts):
    file_complaint()
    code = code_in(texts()[0])
    session.rollback()
    check = session.scalars(select(PhoneCheck)).one()
    assert code not in check.digest and len(check.digest) == 64


def test_codes_per_number_and_per_address_are_limited(client, session, file_complaint):
    for n in range(5):
        assert file_complaint(address=f"198.51.100.{n}").status_code == 302
    refused = file_complaint(address="198.51.100.99")
    assert refused.status_code == 400 and "ساعتی بعد" in refused.get_data(as_text=True)
    for n in range(20):
        assert file_complaint(mobile=f"0935{n:07d}", address="192.0.2.1").status_code == 302
    assert file_complaint(mobile="09359999999", address="192.0.2.1").status_code == 400
    session.rollback()
    assert session.scalar(select(func.count()).select_from(PhoneCheck)) == 25


def test_the_form_comes_back_with_what_was_wrong_and_what_was_typed(client, file_complaint, session):
    refused = file_complaint(service="", category="nope", text=" ", mobile="02188776655")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'role="alert"' in page
    for problem in ("دستگاه را انتخاب کنید", "موضوع شکایت را انتخاب کنید", "شرح شکایت را بنویسید",
                    "یک شمارهٔ همراه بنویسید"):
        assert problem in page
    assert 'value="02188776655"' in page
    session.rollback()
    assert session.scalars(select(PhoneCheck)).all() == []


def test_files_are_judged_by_their_bytes_not_their_names(file_complaint, settings):
    svg = file_complaint([upload(SVG, "photo.jpg")])
    assert svg.status_code == 400 and "«photo.jpg» عکس یا فیلم نیست" in svg.get_data(as_text=True)
    html = file_complaint([upload(b"<html><script>x</script></html>", "clip.mp4")])
    assert html.status_code == 400
    renamed = file_complaint([upload(png(), "document.pdf")])
    assert renamed.status_code == 302
    assert not any((Path(settings.media_dir) / "web").glob("*/*.jpg"))  # refused ones are not kept


def test_files_past_the_size_or_the_count_are_refused(file_complaint, settings):
    big = file_complaint([upload(png(300_000), "big.png")])
    assert big.status_code == 400 and "بزرگ‌تر از" in big.get_data(as_text=True)
    four = file_complaint([upload(png(), f"{n}.png") for n in range(4)])
    assert four.status_code == 400 and "حداکثر سه عکس یا یک فیلم" in four.get_data(as_text=True)
    mixed = file_complaint([upload(MP4, "v.mp4"), upload(JPEG, "p.jpg")])
    assert mixed.status_code == 400
    assert file_complaint([upload(MP4, "v.mp4")]).status_code == 302
    held = [p for p in (Path(settings.media_dir) / "web").rglob("*") if p.is_file()]
    assert [p.suffix for p in held] == [".mp4"]


def test_a_form_without_its_token_is_refused(client, session):
    refused = client.post("/complaint", data={"service": "municipality", "category": "delay", "text": "x",
                                             "mobile": "09121234567"})
    assert refused.status_code == 400 and "فرم منقضی شده است" in refused.get_data(as_text=True)


def test_an_opted_out_number_is_told_why_no_code_comes(client, session, file_complaint):
    from models import optouts
    from models.messages import OptOutSource

    optouts.opt_out(session, E164, OptOutSource.OURS)
    session.commit()
    refused = file_complaint()
    assert refused.status_code == 400 and "«شروع»" in refused.get_data(as_text=True)
    session.rollback()
    assert session.scalars(select(PhoneCheck)).all() == []


def test_a_token_from_the_page_is_required_on_the_code_page_too(client, file_complaint):
    sent = file_complaint()
    refused = client.post(sent.location, data={"code": "123456"})
    assert refused.status_code == 400
    assert token_of(client.get(sent.location))
