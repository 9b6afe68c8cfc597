"""`foad apikeys …`: the keys apps post Open311 requests with."""

from __future__ import annotations

import click

from foad.runtime import database
from models.settings import Settings
from models import apikeys as keys
from models.errors import DomainError
from models.persian import jalali


@click.group()
def apikeys() -> None:
    """API keys of the apps that file complaints over Open311."""


@apikeys.command("add")
@click.argument("name")
@click.pass_obj
def apikeys_add(settings: Settings, name: str) -> None:
    """Make a key for the app NAME; it is shown this once and stored only as a hash."""
    with database(settings) as session:
        try:
            _row, key = keys.add_key(session, name)
        except DomainError as exc:
            raise click.ClickException(str(exc))
    click.echo(key)
    click.echo(f"the key of {name}: shown this once, keep it now", err=True)


@apikeys.command("list")
@click.pass_obj
def apikeys_list(settings: Settings) -> None:
    """Every key: name, first characters, made, revoked."""
    with database(settings) as session:
        for row in keys.list_keys(session):
            revoked = f"revoked {jalali(row.revoked_at, digits='latin')}" if row.revoked_at else "live"
            click.echo(f"{row.name}\t{row.hint}…\tmade {jalali(row.created_at, digits='latin')}\t{revoked}")


@apikeys.command("revoke")
@click.argument("name")
@click.pass_obj
def apikeys_revoke(settings: Settings, name: str) -> None:
    """Stop the key of the app NAME from working, at once."""
    with database(settings) as session:
        try:
            keys.revoke(session, name)
        except DomainError as exc:
            raise click.ClickException(str(exc))
    click.echo(f"the key of {name} is revoked")
