"""The workers' settings, the `foad holidays` and `foad worker` commands, and migration 0004."""

from datetime import date, datetime, time, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from foad.settings import SettingsError, read_settings
from models.all import Base
from models.db import make_engine
from models.holidays import Holiday
from tests.foad.test_cli import invoke

OURS = {"holidays", "ticket_clocks"}


def test_worker_settings_default_to_the_wall_clock_and_three_days(tmp_path):
    settings = read_settings({"FOAD_DATA_DIR": str(tmp_path)})
    assert settings.business_hours is None and settings.fixed_now is None
    assert settings.survey_timeout == timedelta(days=3)


def test_worker_settings_from_the_environment(tmp_path):
    settings = read_settings({
        "FOAD_DATA_DIR": str(tmp_path), "FOAD_BUSINESS_HOURS": "07:30-14:30",
        "FOAD_SURVEY_TIMEOUT_HOURS": "24", "FOAD_FIXED_NOW": "2026-11-28T09:00:00+03:30"})
    assert settings.business_hours == (time(7, 30), time(14, 30))
    assert settings.survey_timeout == timedelta(hours=24)
    assert settings.fixed_now == datetime(2026, 11, 28, 5, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("name, value", [
    ("FOAD_BUSINESS_HOURS", "half past seven"), ("FOAD_BUSINESS_HOURS", "14:30-07:30"),
    ("FOAD_SURVEY_TIMEOUT_HOURS", "-1"), ("FOAD_FIXED_NOW", "2026-11-28T09:00:00"),
    ("FOAD_FIXED_NOW", "tomorrow"),
])
def test_bad_worker_settings_are_named(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        read_settings({"FOAD_DATA_DIR": str(tmp_path), name: value})


def test_holidays_are_added_imported_and_listed(runtime, settings, session, tmp_path):
    assert "1 added" in invoke(settings, "holidays", "add", "1405-01-01", "نوروز").output
    sheet = tmp_path / "holidays.csv"
    sheet.write_text("date,name\n1405-01-02,نوروز\n2026-12-25,Test\n", encoding="utf-8")
    assert "2 added, 0 renamed" in invoke(settings, "holidays", "import", str(sheet)).output
    listed = invoke(settings, "holidays", "list").output.splitlines()
    assert listed[0] == "2026-03-21  1405-01-01  نوروز" and len(listed) == 3
    assert session.get(Holiday, date(2026, 3, 22)).name == "نوروز"
    session.commit()


def test_a_bad_holidays_file_imports_nothing_and_says_why(runtime, settings, session, tmp_path):
    sheet = tmp_path / "holidays.csv"
    sheet.write_text("date,name\n1405-01-02,ok\n1405-14-01,bad\n", encoding="utf-8")
    result = invoke(settings, "holidays", "import", str(sheet))
    assert result.exit_code == 1 and "line 3" in result.output
    (tmp_path / "no-header.csv").write_text("day,title\n", encoding="utf-8")
    assert "needs the columns" in invoke(settings, "holidays", "import",
                                         str(tmp_path / "no-header.csv")).output
    assert session.query(Holiday).count() == 0
    session.commit()


def test_foad_worker_refuses_unknown_queues(settings):
    result = invoke(settings, "worker", "--queues", "routing,sms")
    assert result.exit_code == 2 and "choose from routing, notifications, media, maintenance" in result.output


def test_migration_0004_makes_exactly_the_tables_the_models_describe(database_url):
    engine = make_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata) if _table_of(d) in OURS]
    engine.dispose()
    assert differences == []


def _table_of(difference) -> str | None:
    change = difference[0] if isinstance(difference, list) else difference
    for part in change[1:]:
        name = getattr(part, "name", None) if not hasattr(part, "table") else part.table.name
        if name:
            return name
    return None
