"""`foad users …`: console accounts from the command line (the first supervisor, say)."""

from __future__ import annotations

import click
from sqlalchemy import select

from foad.runtime import database
from models.accounts import change_password, deactivate
from models.errors import DomainError
from models.settings import Settings
from models.users import User, UserRole, add_user, find_user


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
    """Give the console user NAME a new password (say, one who forgot theirs); every log-in
    of theirs ends."""
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
    """Deactivate the console user NAME: every log-in of theirs ends, and no more log-ins."""
    with database(settings) as session:
        try:
            user = find_user(session, name)
        except DomainError as exc:
            raise click.ClickException(str(exc))
        deactivate(session, user)
    click.echo(f"{name} deactivated")


@users.command("list")
@click.pass_obj
def users_list(settings: Settings) -> None:
    """List console users."""
    with database(settings) as session:
        for user in session.scalars(select(User).order_by(User.name)).unique():
            agency = user.agency.code if user.agency else "-"
            state = "active" if user.active else "inactive"
            click.echo(f"{user.name:<20} {user.role:<11} {agency:<14} {state}")
