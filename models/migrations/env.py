"""Alembic's environment: runs migrations on the connection or URL `foad db upgrade` gives."""

from alembic import context

from models.all import Base
from models.db import make_engine
from models.search import include_name

config = context.config


def run() -> None:
    """Migrate online: on the given connection, or on a fresh engine for the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as fresh:
        _migrate(fresh)
    engine.dispose()


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things: rebuild the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,  # the search objects one database has of its own
    )
    with context.begin_transaction():
        context.run_migrations()


run()
