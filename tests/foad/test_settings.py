"""Settings are read once from the environment, with defaults that run with no configuration."""

from datetime import timedelta

import pytest

from foad.settings import SettingsError, read_settings


def test_defaults_run_on_sqlite_and_the_embedded_redis(tmp_path):
    settings = read_settings({"FOAD_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'foad.sqlite3'}"
    assert settings.redis_url is None
    assert (settings.service_number, settings.overseas_number) == ("128", "+989372840000")
    assert settings.response_deadline == timedelta(hours=3)
    assert settings.recordings_dir == tmp_path / "recordings"
    assert not settings.twilio.can_send
    assert settings.fastagi_processes == 1


def test_the_secret_key_is_made_once_and_kept(tmp_path):
    first = read_settings({"FOAD_DATA_DIR": str(tmp_path)}).secret_key
    assert len(first) > 30
    assert read_settings({"FOAD_DATA_DIR": str(tmp_path)}).secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_environment_overrides(tmp_path):
    settings = read_settings({
        "FOAD_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://u@h/db",
        "REDIS_URL": "redis://h:6379/2", "FOAD_RESPONSE_DEADLINE_MINUTES": "90",
        "FOAD_OVERSEAS_NUMBER": "+989372840001", "FOAD_PUBLIC_BASE_URL": "https://foad.example.ir/",
        "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "TWILIO_FROM_NUMBER": "+15005550006",
        "FOAD_LOG_FORMAT": "JSON", "FOAD_METRICS_PORT": "9410", "FOAD_METRICS_HOST": "0.0.0.0",
        "FOAD_FASTAGI_PROCESSES": "4",
    })
    assert settings.database_url == "postgresql://u@h/db" and settings.redis_url == "redis://h:6379/2"
    assert settings.response_deadline == timedelta(minutes=90)
    assert settings.public_base_url == "https://foad.example.ir"
    assert settings.twilio.can_send and settings.log_format == "json"
    assert (settings.metrics_port, settings.metrics_host) == (9410, "0.0.0.0")
    assert settings.fastagi_processes == 4


@pytest.mark.parametrize("name, value", [
    ("FOAD_RESPONSE_DEADLINE_MINUTES", "three hours"),
    ("FOAD_RESPONSE_DEADLINE_MINUTES", "0"),
    ("FOAD_LOG_FORMAT", "xml"),
    ("FOAD_METRICS_PORT", "prometheus"),
    ("FOAD_METRICS_PORT", "70000"),
    ("FOAD_FASTAGI_PROCESSES", "0"),
    ("FOAD_FASTAGI_PROCESSES", "two"),
])
def test_bad_values_are_named(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        read_settings({"FOAD_DATA_DIR": str(tmp_path), name: value})
