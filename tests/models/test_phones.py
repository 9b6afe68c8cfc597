"""Caller numbers in every shape Asterisk and Twilio hand us."""

import pytest

from models.phones import identify
from models.tickets import CallerKind


@pytest.mark.parametrize("raw", ["09121234567", "00989121234567", "+989121234567", "989121234567",
                                 "9121234567", "۰۹۱۲۱۲۳۴۵۶۷", "٠٩١٢١٢٣٤٥٦٧", "0912 123 4567",
                                 "+98 (912) 123-4567", "sip:09121234567@10.0.0.1",
                                 '"Ali" <sip:+989121234567@trunk.example;user=phone>',
                                 "tel:+989121234567"])
def test_iranian_mobile_in_any_shape(raw):
    caller = identify(raw)
    assert (caller.e164, caller.kind, caller.country) == ("+989121234567", CallerKind.IR_MOBILE, "IR")


@pytest.mark.parametrize("raw, province", [("02188776655", "tehran"), ("+988138221100", "hamadan"),
                                           ("00985138001122", "razavi_khorasan")])
def test_landline_gives_its_province(raw, province):
    caller = identify(raw)
    assert caller.kind is CallerKind.IR_LANDLINE
    assert caller.province is not None and caller.province.code == province


def test_province_agrees_with_phonenumbers_geocoder():
    import phonenumbers
    from phonenumbers import geocoder

    number = phonenumbers.parse("+988138221100")
    assert "Hamadan" in geocoder.description_for_number(number, "en")
    assert identify("+988138221100").province.name_en == "Hamadan"


@pytest.mark.parametrize("raw, country", [("+447700900123", "GB"), ("00447700900123", "GB"),
                                          ("+12025550123", "US"), ("00493012345678", "DE"),
                                          ("sip:00447700900123@10.0.0.1", "GB")])
def test_foreign_numbers_keep_their_country(raw, country):
    caller = identify(raw)
    assert caller.kind is CallerKind.FOREIGN and caller.country == country and caller.abroad


@pytest.mark.parametrize("raw, e164, country", [("447700900123", "+447700900123", "GB"),
                                                ("12025550123", "+12025550123", "US")])
def test_international_digits_without_a_prefix_are_read_as_international(raw, e164, country):
    # Trunks hand some international caller ids over as bare digits: what cannot be an
    # Iranian number is read as if it began with "+".
    caller = identify(raw)
    assert (caller.e164, caller.kind, caller.country) == (e164, CallerKind.FOREIGN, country)


@pytest.mark.parametrize("raw, e164", [("2188776655", "+982188776655"), ("4477009001", "+984477009001")])
def test_ten_digits_without_the_leading_zero_stay_iranian(raw, e164):
    caller = identify(raw)
    assert caller.e164 == e164 and caller.kind is CallerKind.IR_LANDLINE


@pytest.mark.parametrize("raw", [None, "", "unknown", "anonymous", "Anonymous", "ANONYMOUS", "private",
                                 "restricted", "unavailable", "withheld", "128", "02188",
                                 'x"\nEXEC System rm', "12345678901234567890", "+", "abc", "99999",
                                 "sip:anonymous@anonymous.invalid", "sip:@10.0.0.1", "sip:128@10.0.0.1"])
def test_garbage_is_withheld_never_an_exception(raw):
    caller = identify(raw)
    assert caller.withheld and caller.kind is CallerKind.WITHHELD


def test_the_overseas_service_number_is_an_iranian_mobile():
    assert identify("09372840000").e164 == "+989372840000"


def test_the_shortcut_for_iranian_numbers_agrees_with_phonenumbers_on_every_range():
    """`identify` reads most "+98…" and "0…" numbers from their shape, without phonenumbers;
    for every four-digit range from 1000 to 9999, in both shapes, the library's reading
    must be the same (a new phonenumbers' metadata that moves a range fails here)."""
    from models.phones import _by_library

    for prefix in range(1000, 10000):
        for rest in ("000000", "123456", "999999"):
            national = f"{prefix}{rest}"
            for shaped in (f"+98{national}", f"0{national}"):
                assert identify(shaped) == _by_library(shaped, "IR"), shaped


def test_numbers_the_shortcut_does_not_take_are_read_by_phonenumbers():
    # Nine or eleven digits after the 0 are no number to call back; 094 is a fixed line.
    assert identify("+98912123456").withheld and identify("091212345678").withheld
    assert identify("09400000000").kind is CallerKind.IR_LANDLINE
    assert identify("+982188776655").kind is CallerKind.IR_LANDLINE
