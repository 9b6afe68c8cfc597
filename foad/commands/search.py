"""`foad search reindex`: rebuild the full-text search documents from the tickets' texts."""

from __future__ import annotations

import click

from foad.runtime import database
from models import search as documents
from models.settings import Settings


@click.group()
def search() -> None:
    """Full-text search."""


@search.command("reindex")
@click.pass_obj
def search_reindex(settings: Settings) -> None:
    """Rebuild every ticket's search document (after the Persian normaliser changed)."""
    with database(settings) as session:
        written = documents.reindex(session)
        session.commit()
    click.echo(f"{written} search documents written")
