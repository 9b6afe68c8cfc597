"""`foad users …`: console accounts from the command line (the first supervisor, say)."""

from __future__ import annotations

import click
from sqlalchemy import select

from foad.settings import Settings
from models.errors import DomainError
from models.users import User, UserRole, add_user, change_password, find_user


@click.group()
def users() -> None:
    """Console users: supervisors, inspectors, admins."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([r.value for r in UserRole]))
@click.option("--agency", help="An inspector's agency code (see `foad agencies import`).")
@click.option("--full-name", default="", help="The person's name as shown in the console.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when not given (better: the flag leaves it in shell history).")
@click.pass_obj
def users_add(settings: Settings, name: str, role: str, agency: str | None, full_name: str,
              password: str) -> None:
    """Add a console user NAME."""
    from foad.cli import database

    with database(settings) as session:
        try:
            user = add_user(session, name, role, password, agency_code=agency, full_name=full_name)
        except DomainError as exc:
            raise click.ClickException(str(exc))
        click.echo(f"added {user.role} {user.name}" + (f" of {user.agency.code}" if user.agency else ""))


@users.command("passwd")
@click.argument("name")
@click.option("--password", prompt="New password", hide_input=True, confirmation_prompt=True,
              help="Asked for when not given (better: the flag leaves it in shell history).")
@click.pass_obj
def users_passwd(settings: Settings, name: str, password: str) -> None:
    """Give the console user NAME a new password (say, one who forgot theirs)."""
    from foad.cli import database

    with database(settings) as session:
        try:
            change_password(session, find_user(session, name), password)
        except DomainError as exc:
            raise click.ClickException(str(exc))
    click.echo(f"password of {name} changed")


@users.command("deactivate")
@click.argument("name")
@click.pass_obj
def users_deactivate(settings: Settings, name: str) -> None:
    """Deactivate the console user NAME: logged out at their next click, and no more log-ins."""
    from foad.cli import database

    with database(settings) as session:
        try:
            user = find_user(session, name)
        except DomainError as exc:
            raise click.ClickException(str(exc))
        user.active = False
        session.commit()
    click.echo(f"{name} deactivated")


@users.command("list")
@click.pass_obj
def users_list(settings: Settings) -> None:
    """List console users."""
    from foad.cli import database

    with database(settings) as session:
        for user in session.scalars(select(User).order_by(User.name)).unique():
            agency = user.agency.code if user.agency else "-"
            state = "active" if user.active else "inactive"
            click.echo(f"{user.name:<20} {user.role:<11} {agency:<14} {state}")


@click.group()
def reports() -> None:
    """Report cards."""


@reports.command("refresh")
@click.argument("period", required=False)
@click.pass_obj
def reports_refresh(settings: Settings, period: str | None) -> None:
    """Roll up PERIOD's months (a key like 1405, 1405-Q3, 1405-07; default: this year) now."""
    from console import periods, rollup
    from foad.cli import database
    from models.base import utcnow

    try:
        chosen = periods.parse(period) if period else periods.containing(utcnow(), "year")
    except periods.PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="PERIOD")
    with database(settings) as session:
        rollup.refresh(session, chosen.year, range(chosen.months[0], chosen.months[-1] + 1),
                       settings.response_deadline)
    click.echo(f"report months of {chosen.key} rolled up")
