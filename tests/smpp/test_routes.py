"""FOAD_SMS_ROUTES and the SMPP settings as an operator writes them."""

import pytest

from foad.settings import SettingsError, read_settings
from sms.providers import NoRoute, Router


def test_with_no_smsc_every_number_goes_to_twilio_as_before():
    settings = read_settings({})
    assert settings.sms_routes == (("*", "twilio"),) and not settings.smpp.configured


def test_with_an_smsc_iranian_numbers_go_through_it_by_default():
    settings = read_settings({"FOAD_SMPP_HOST": "smsc.example", "FOAD_SMPP_SYSTEM_ID": "foad"})
    assert settings.sms_routes == (("+98", "smpp"), ("*", "twilio"))
    assert (settings.smpp.port, settings.smpp.source_addr, settings.smpp.window) == (2775, "128", 10)


def test_routes_are_matched_longest_prefix_first_and_star_last():
    settings = read_settings({"FOAD_SMS_ROUTES": "*=twilio, +98=smpp, +98937=twilio"})
    router = Router(settings.sms_routes, {"twilio": "T", "smpp": "S"})
    assert [router.for_number(n) for n in ("+989372840000", "+989121234567", "+447700900123")] == ["T", "S", "T"]


def test_a_number_no_route_covers_has_no_provider():
    router = Router(read_settings({"FOAD_SMS_ROUTES": "+98=smpp"}).sms_routes, {"smpp": "S"})
    with pytest.raises(NoRoute):
        router.for_number("+447700900123")


@pytest.mark.parametrize("routes", ["+98=kannel", "98=smpp", "+98", "+9a=smpp"])
def test_a_route_table_the_engine_cannot_read_is_refused_at_start(routes):
    with pytest.raises(SettingsError, match="FOAD_SMS_ROUTES"):
        read_settings({"FOAD_SMS_ROUTES": routes})


def test_the_password_is_not_in_the_settings_repr():
    settings = read_settings({"FOAD_SMPP_PASSWORD": "s3cr3t"})
    assert settings.smpp.password == "s3cr3t" and "s3cr3t" not in repr(settings)


@pytest.mark.parametrize("name, value", [("FOAD_SMPP_LONG_MESSAGES", "both"), ("FOAD_SMPP_TPS", "-1"),
                                         ("FOAD_SMPP_WINDOW", "0"), ("FOAD_SMPP_GSM7", "maybe")])
def test_a_bad_smpp_setting_is_refused_at_start(name, value):
    with pytest.raises(SettingsError, match=name):
        read_settings({name: value})


def test_foad_serve_runs_the_link_only_when_an_smsc_is_configured():
    from foad.serve import Addresses, services

    assert "smpp" not in services(Addresses())
    assert services(Addresses(), smpp=True)["smpp"] == ["smpp"]
