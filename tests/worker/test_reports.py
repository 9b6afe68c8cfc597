"""The report cards' rollup kept fresh by the workers: recent months often, the years nightly."""

from datetime import datetime

from sqlalchemy import select

from models.report_months import ReportMonth, ReportRefresh
from models.reports import rollup
from models.reports.periods import Period
from tests.worker.helpers import open_at, tehran
from worker.periodic import PERIODIC, tick
from worker.queues import MAINTENANCE, ROUTING
from worker.reports import refresh_recent_months, refresh_years

AZAR_10 = tehran(2026, 12, 1, 10, 0)  # 1405/09/10
ABAN_19 = tehran(2026, 11, 10, 10, 0)  # 1405/08/19
MEHR_18 = tehran(2026, 10, 10, 10, 0)  # 1405/07/18


def complaints_rolled_up(session) -> dict[tuple[int, int], int]:
    """(year, month): complaints, summed over agencies, as the rollup has them now."""
    found: dict[tuple[int, int], int] = {}
    for row in session.scalars(select(ReportMonth)):
        found[(row.year, row.month)] = found.get((row.year, row.month), 0) + row.complaints
    session.commit()  # end the read: on SQLite it holds the write lock jobs need
    return found


def refreshed(session) -> dict[tuple[int, int], datetime]:
    """(year, month): when it was last rolled up."""
    found = {(r.year, r.month): r.refreshed_at for r in session.scalars(select(ReportRefresh))}
    session.commit()
    return found


def complaints_in(session, work, configure, *moments: datetime) -> None:
    """One routed complaint registered at each of `moments`."""
    for n, moment in enumerate(moments):
        open_at(session, moment, caller=f"0912000000{n}", sector="tax", province="tehran")
    configure(fixed_now=AZAR_10)
    work((ROUTING,))


def test_the_report_jobs_are_declared_and_ticked_like_the_others(runtime):
    jobs = {job.name: job for job in PERIODIC}
    recent, year = jobs["report-cards-recent"], jobs["report-cards-years"]
    # Fresher than a card page asks for by default, so that pages only read.
    assert recent.every < runtime.settings.report_max_age.total_seconds()
    assert year.every == 86400
    midnight = datetime.fromisoformat("2026-12-01T00:00:00+00:00")
    assert {recent.job_id(midnight), year.job_id(midnight)} <= set(tick(runtime.redis, midnight))


def test_a_tick_rolls_up_last_year_this_year_so_far_and_the_recent_months(
        runtime, session, work, configure):
    complaints_in(session, work, configure, MEHR_18, ABAN_19, ABAN_19, AZAR_10)
    tick(runtime.redis, AZAR_10)
    assert work((MAINTENANCE,))
    assert complaints_rolled_up(session) == {(1405, 7): 1, (1405, 8): 2, (1405, 9): 1}
    done = refreshed(session)
    assert set(done) == {(1404, m) for m in range(1, 13)} | {(1405, m) for m in range(1, 10)}
    assert set(done.values()) == {AZAR_10}  # the workers' clock (FOAD_FIXED_NOW here)


def test_the_recent_job_leaves_older_months_and_pages_find_recent_ones_fresh(
        runtime, session, work, configure):
    complaints_in(session, work, configure, MEHR_18, ABAN_19, AZAR_10)
    assert refresh_recent_months() == ["1405-08", "1405-09"]
    assert complaints_rolled_up(session) == {(1405, 8): 1, (1405, 9): 1}
    assert set(refreshed(session)) == {(1405, 8), (1405, 9)}
    autumn = Period(1405, "quarter", 3)
    settings = runtime.settings
    stale = rollup.stale_months(session, autumn, settings.response_deadline, settings.report_max_age, AZAR_10)
    assert stale == [7]  # a card page would roll up only Mehr itself


def test_in_farvardin_the_recent_months_span_two_years(session, work, configure):
    esfand, farvardin = tehran(2027, 3, 15, 10, 0), tehran(2027, 3, 25, 10, 0)
    for n, moment in enumerate((esfand, farvardin)):
        open_at(session, moment, caller=f"0912000000{n}", sector="tax", province="tehran")
    configure(fixed_now=farvardin)
    work((ROUTING,))
    assert refresh_recent_months() == ["1405-12", "1406-01"]
    assert complaints_rolled_up(session) == {(1405, 12): 1, (1406, 1): 1}
    assert refresh_years() == ["1405", "1406"]
    assert complaints_rolled_up(session) == {(1405, 12): 1, (1406, 1): 1}
    assert set(refreshed(session)) == {(1405, m) for m in range(1, 13)} | {(1406, 1)}
