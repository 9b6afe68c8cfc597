"""Caller numbers in every shape Asterisk and Twilio hand us."""

import pytest

from models.phones import identify
from models.tickets import CallerKind


@pytest.mark.parametrize("raw", ["09121234567", "00989121234567", "+989121234567", "989121234567",
                                 "۰۹۱۲۱۲۳۴۵۶۷", "٠٩١٢١٢٣٤٥٦٧", "0912 123 4567", "+98 (912) 123-4567"])
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


@pytest.mark.parametrize("raw, country", [("+447700900123", "GB"), ("+12025550123", "US"),
                                          ("00493012345678", "DE")])
def test_foreign_numbers_keep_their_country(raw, country):
    caller = identify(raw)
    assert caller.kind is CallerKind.FOREIGN and caller.country == country and caller.abroad


@pytest.mark.parametrize("raw", [None, "", "unknown", "anonymous", "Anonymous", "private", "128",
                                 "02188", 'x"\nEXEC System rm', "12345678901234567890", "+", "abc"])
def test_garbage_is_withheld_never_an_exception(raw):
    caller = identify(raw)
    assert caller.withheld and caller.kind is CallerKind.WITHHELD


def test_the_overseas_service_number_is_an_iranian_mobile():
    assert identify("09372840000").e164 == "+989372840000"
