"""The schema comes only from the migrations: they build it, tear it down, and match the models."""

import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from app import migrate
from app.db import make_engine, metadata
from app.main import SchemaNotReady, create_app
from app.models import load_all_models
from tests.conftest import settings_for
from tests.helpers import HANG_SECONDS


def tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(fresh_database_url):
    engine = make_engine(fresh_database_url)
    migrate.upgrade(fresh_database_url)
    full = tables(engine)
    assert {"pb_process", "user_account", "audit_entry", "phase_transition"} <= full
    migrate.downgrade(fresh_database_url, "base")
    assert tables(engine) == set()
    migrate.upgrade(fresh_database_url)
    assert tables(engine) == full
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


@pytest.mark.slow  # every migration, down and up again
def test_each_step_goes_down_and_up(fresh_database_url):
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config(fresh_database_url))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    migrate.upgrade(fresh_database_url)
    for revision in reversed(revisions):
        previous = script.get_revision(revision).down_revision or "base"
        migrate.downgrade(fresh_database_url, previous)
        migrate.upgrade(fresh_database_url, revision)
        migrate.downgrade(fresh_database_url, previous)
    migrate.upgrade(fresh_database_url)


def test_models_match_the_migrations(engine):
    load_all_models()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == [], "models and migrations differ; write a migration:\n" + "\n".join(
        map(str, differences)
    )


def test_one_head():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, script.get_heads()


def test_server_refuses_an_unmigrated_database(fresh_database_url):
    engine = make_engine(fresh_database_url)
    problem = migrate.schema_problem(engine)
    assert problem and "pbvote db upgrade" in problem
    app = create_app(settings_for(fresh_database_url), engine=engine)
    from fastapi.testclient import TestClient

    with pytest.raises(SchemaNotReady), TestClient(app):
        pass
    env = {
        "PBVOTE_DATABASE_URL": fresh_database_url,
        "PBVOTE_ENV": "development",
        "PATH": "/usr/bin:/bin",
    }
    serve = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
    )
    assert serve.returncode == 1
    assert "cannot start" in serve.stderr and "pbvote db upgrade" in serve.stderr
    engine.dispose()
