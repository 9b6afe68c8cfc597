"""`foad tickets list` and `show`: tickets for people (Tehran time, Jalali dates) and for
scripts (`--json`: ISO 8601)."""

from __future__ import annotations

from datetime import datetime

import click
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models.visibility import subtree
from foad.commands.output import echo_json, echo_table
from foad.runtime import database
from models import documents, lookup
from models.agencies import Agency
from models.base import utcnow
from models.errors import DomainError
from models.lifecycle import OPEN
from models.persian import jalali
from models.settings import Settings
from models.tickets import Ticket, TicketStatus

OPEN_ONES = "open"
"""`--status open`: every status a ticket is still being worked in (models.lifecycle.OPEN)."""


@click.group()
def tickets() -> None:
    """Look at tickets."""


@tickets.command("list")
@click.option("--status", type=click.Choice([OPEN_ONES, *(s.value for s in TicketStatus)]),
              help="Only this status; `open`: registered, referred, acknowledged or escalated.")
@click.option("--agency", metavar="CODE", help="Only this agency's tickets and those of the agencies "
              "below it (codes: `foad agencies list`).")
@click.option("--overdue", is_flag=True, help="Only open tickets past their deadline.")
@click.option("--limit", default=100, show_default=True, help="At most this many, newest first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document (a list) for scripts.")
@click.pass_obj
def tickets_list(settings: Settings, status: str | None, agency: str | None, overdue: bool, limit: int,
                 as_json: bool) -> None:
    """List tickets, newest first; dates are Jalali, in Tehran time."""
    with database(settings) as session:
        query = _filtered(session, status, agency, overdue, utcnow())
        rows = session.scalars(query.limit(limit)).unique().all()
        if as_json:
            echo_json([documents.summary(t) for t in rows])
            return
        echo_table(("code", "via", "status", "agency", "caller", "registered (Tehran)", "due"),
                   [(t.code, t.via, t.status, t.agency.code if t.agency else "-", t.caller or "withheld",
                     _when(t.registered_at), _when(t.due_at)) for t in rows])


def _filtered(session: Session, status: str | None, agency: str | None, overdue: bool,
              now: datetime) -> Select:
    query = select(Ticket).order_by(Ticket.registered_at.desc(), Ticket.id.desc())
    if status == OPEN_ONES:
        query = query.where(Ticket.status.in_(list(OPEN)))
    elif status:
        query = query.where(Ticket.status == status)
    if agency:
        found = session.scalar(select(Agency.id).where(Agency.code == agency))
        if found is None:
            raise click.BadParameter(f"no agency has the code {agency!r}; see `foad agencies list`",
                                     param_hint="--agency")
        query = query.where(Ticket.agency_id.in_(subtree(session, found)))
    if overdue:
        query = query.where(Ticket.status.in_(list(OPEN)), Ticket.due_at < now)
    return query


@tickets.command("show")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="One JSON document for scripts (times in ISO 8601, UTC).")
@click.pass_obj
def tickets_show(settings: Settings, code: str, as_json: bool) -> None:
    """Show one ticket with its events, calls, messages and media (Jalali dates, Tehran time)."""
    with database(settings) as session:
        try:
            doc = documents.full(session, lookup.find_by_code(session, code))
        except DomainError as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        echo_json(doc)
        return
    for key, value in doc.items():
        if isinstance(value, list):
            click.echo(f"{key}:")
            for entry in value:
                click.echo("  " + "  ".join(f"{k}={_for_people(k, v)}" for k, v in entry.items() if v is not None))
        else:
            click.echo(f"{key}: {_for_people(key, value)}")


def _for_people(key: str, value: object) -> object:
    """A document's moment (its key ends in `at`, its value ISO 8601) as a Jalali date in
    Tehran time, nothing as "-" (as the list shows it); anything else as it is."""
    if value is None:
        return "-"
    if isinstance(value, str) and (key == "at" or key.endswith("_at")):
        return _when(datetime.fromisoformat(value))
    return value


def _when(moment: datetime | None) -> str:
    return jalali(moment, digits="latin") if moment else "-"
