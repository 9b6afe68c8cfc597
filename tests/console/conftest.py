"""Console fixtures: people with roles, logging in through the real form, referred tickets,
and texts sent through the local Twilio-compatible server."""

from __future__ import annotations

import functools
import re
import time
import wave
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from foad.cli import main

from foad.devtools.twilio_api import TwilioApi
from models import lifecycle
from models.base import utcnow
from models.intake import Complaint, IntakeRules, open_ticket
from models.runtime import Runtime
from models.tickets import Ticket, TicketStatus, Via
from models.users import User, UserRole
from tests.builders import NEUTRAL, agency
from tests.peers.fixtures import twilio_api  # noqa: F401  (a fixture)
from tests.worker.helpers import release
from worker.textback import SURVEY_DELAY

PASSWORD = "correct horse battery"
CONSOLE_BASE_URL = "http://foad.test"
"""FOAD_PUBLIC_BASE_URL in these tests: the console links in officials' texts start with it.
(Plain http: with https the session cookie would be sent over https only.)"""

ROLES = {
    # name: (role, agency code)
    "sara": ("supervisor", None),
    "reza": ("inspector", "MUN-TEH"),  # a provincial directorate of municipalities
    "nima": ("inspector", "IMVO"),  # the national organization above MUN-TEH and MUN-HAM
    "bita": ("inspector", "BMI-TEH"),  # a bank: sees none of the municipal tickets
    "dana": ("inspector", "FOAD-TEH"),  # Tehran's FOAD working group: a dispatcher of its province
    "omid": ("inspector", "ARAO"),  # the national working group: a dispatcher of every province
    "ali": ("admin", None),
}


@pytest.fixture
def settings(settings, twilio_api):  # noqa: F811  (the fixture imported above)
    """The test settings; every text the jobs send goes to the local Twilio-compatible server."""
    return replace(settings, public_base_url=CONSOLE_BASE_URL, twilio=twilio_api.settings())


@functools.cache
def password_hash() -> str:
    """PASSWORD's hash for the people of ROLES, made once and with cheap scrypt parameters.

    Logging in checks a stored hash with the parameters written in it, so the people log in
    as anyone does, without paying the production cost (tenths of a second a hash, twice
    per log-in) hundreds of times; `add_user`'s own hashing is tested on its own."""
    return generate_password_hash(PASSWORD, method="scrypt:1024:8:1")


@pytest.fixture
def person(session: Session) -> Callable[[str], User]:
    """Create (once) one of the people in ROLES, with PASSWORD."""
    made: dict[str, User] = {}

    def _person(name: str) -> User:
        if name not in made:
            role, code = ROLES[name]
            made[name] = User(name=name, role=UserRole(role), agency=agency(session, code) if code else None,
                              password_hash=password_hash())
            session.add(made[name])
            session.commit()
        return made[name]

    return _person


def csrf_token(client, path: str = "/console/login") -> str:
    """The CSRF token of the form on `path`, as a browser would read it."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def login(client, person) -> Callable[[str], Any]:
    """Log `client` (or another client, `on`) in as one of ROLES through the log-in form."""

    def _login(name: str, on=None):
        person(name)
        browser = on or client
        token = csrf_token(browser)
        response = browser.post("/console/login", data={"name": name, "password": PASSWORD,
                                                       "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return _login


class CookieClock:
    """The clock itsdangerous signs and checks the session cookie (and CSRF tokens) by,
    moved by hand: the idle timeout's tests pass seconds without waiting them out."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        """What itsdangerous reads as `time.time()`."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass."""
        self.now += seconds


@pytest.fixture
def cookie_clock(monkeypatch: pytest.MonkeyPatch) -> CookieClock:
    """itsdangerous's clock, under the test's hand (the app's own clock is left alone)."""
    clock = CookieClock()
    monkeypatch.setattr("itsdangerous.timed.time", clock)
    return clock


@pytest.fixture
def post(client) -> Callable[..., Any]:
    """POST a console form with the CSRF token of the page it is on."""

    def _post(path: str, data: dict[str, str] | None = None, *, page: str):
        return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, page)})

    return _post


def referred(session: Session, code: str, *, at: datetime | None = None,
             deadline: timedelta = timedelta(hours=3), **fields: Any) -> Ticket:
    """A ticket opened through intake and referred to the agency `code`, its clock running."""
    at = at or utcnow()
    complaint = {"via": Via.SMS, "caller": "09121234567", "text": NEUTRAL, **fields}
    ticket = open_ticket(session, Complaint(**complaint), IntakeRules(max_per_hour=1000), now=at).ticket
    ticket.agency_id = agency(session, code).id
    ticket.due_at = at + deadline
    lifecycle.move(ticket, TicketStatus.REFERRED, at=at)
    session.commit()
    return ticket


def write_wav(path: Path, seconds: float = 3.0, rate: int = 8000) -> Path:
    """A real 8 kHz mono WAV file (a quiet tone), as Asterisk writes them."""
    import math

    path.parent.mkdir(parents=True, exist_ok=True)
    frames = bytearray()
    for n in range(int(seconds * rate)):
        value = int(3000 * math.sin(2 * math.pi * 440 * n / rate))
        frames += value.to_bytes(2, "little", signed=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return path


def fetch(client, path: str, range_: str | None = None):
    """GET `path` and read it to the end, closing the file it streams (as a browser would)."""
    response = client.get(path, headers={"Range": range_} if range_ else {})
    response.get_data()
    response.close()
    return response


def reload(session: Session, row: Any) -> Any:
    """`row` as the database has it now, ending the read so the app's writers don't wait.

    (On SQLite every transaction takes the write lock, see models.db.)
    """
    session.refresh(row)
    session.commit()
    return row


def run_foad(settings, *args: str, input: str | None = None):
    """Run the `foad` command with `args` on the test database, as an operator would."""
    env = {"DATABASE_URL": settings.database_url, "FOAD_DATA_DIR": str(settings.data_dir),
           "FOAD_SECRET_KEY": "x"}
    return CliRunner().invoke(main, list(args), env=env, input=input)


def received(api: TwilioApi, number: str) -> list[str]:
    """The bodies of the texts the local Twilio server accepted for `number`, in order."""
    return [m.body for m in api.messages if m.to == number]


def survey_time(runtime: Runtime) -> list[str]:
    """Let the minute before the survey pass: queue the survey jobs RQ's scheduler holds."""
    return release(runtime, utcnow() + SURVEY_DELAY + timedelta(seconds=5))
