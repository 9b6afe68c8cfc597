"""The migrations build exactly the schema the models describe, and go down again."""

import os

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from models.all import Base
from models.db import make_engine
from models.migrate import alembic_config
from models.search import include_name
from tests.scratch import scratch_database


def test_migrated_schema_matches_the_models(database_url):
    engine = make_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_every_migration_goes_down_and_up_again(tmp_path):
    # On the database the suite runs on: PostgreSQL's triggers and functions go down too.
    with scratch_database(os.environ.get("DATABASE_URL"), tmp_path, sample=False) as url:
        config = alembic_config(url)
        command.downgrade(config, "base")
        engine = make_engine(url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()
        command.upgrade(config, "head")
