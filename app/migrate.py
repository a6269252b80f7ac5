"""Alembic, driven from code: the schema comes only from the migrations."""

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from app.config import REPO_ROOT


def alembic_config(database_url: str) -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    # ConfigParser treats % as interpolation; URLs may contain %-escapes.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def head_revision(database_url: str = "sqlite://") -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_problem(engine: Engine) -> str | None:
    """Why this database cannot be served as it is, or None when it is at the head."""
    head = head_revision()
    try:
        current = current_revision(engine)
    except Exception as exc:  # unreachable server, bad URL, bad credentials
        return f"cannot reach the database: {exc.__class__.__name__}: {exc}"
    if current != head:
        return (
            f"the database schema is at revision {current or 'none (empty database)'} "
            f"but this version of pbvote needs {head}: run `pbvote db upgrade` first"
        )
    return None
