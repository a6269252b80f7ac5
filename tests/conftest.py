"""Test databases: every database test runs on SQLite and on PostgreSQL.

Each backend gets a fresh database per test run, migrated with Alembic (never
SQLModel table creation). Each test runs inside a transaction that is rolled back; the app's
sessions join it through savepoints, so commits and rollbacks behave as in production.
Tests that need real commits across connections use `fresh_database_url`.
"""

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from app import audit, migrate
from app.audit import Actor
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.security import issue_access_token
from app.users.models import Role, User
from app.users.service import create_user

PG_ADMIN_URL = os.environ.get(
    "PBVOTE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ["sqlite", "postgresql"]
TEST_SECRET = "test-secret-key-not-for-production"
audit.use_secret(None, TEST_SECRET)  # the audit chain's key, also for tests' own engines


BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def pytest_addoption(parser):
    parser.addoption(
        "--fast",
        action="store_true",
        help="the edit loop: SQLite only, no browser, no slow tests (deselects pg, browser, slow)",
    )


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Sets the markers conftest owns (pg: runs on PostgreSQL; browser: drives Chromium) and
    groups each browser module's tests of one backend for `--dist loadgroup` (one worker
    starts that module's server); then, once pytest has ordered the tests, puts the slow ones
    first, so that none is left running alone at the end, and applies --fast."""
    for item in items:
        backend = item.callspec.params.get("backend") if hasattr(item, "callspec") else None
        if backend == "postgresql":
            item.add_marker(pytest.mark.pg)
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group(f"{item.path.stem}-{backend}"))
    yield
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable
    if config.getoption("fast"):
        skipped = {"pg", "browser", "slow"}
        keep = [not skipped & {m.name for m in item.iter_markers()} for item in items]
        config.hook.pytest_deselected(items=[i for i, k in zip(items, keep, strict=True) if not k])
        items[:] = [i for i, k in zip(items, keep, strict=True) if k]


def _postgres_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as exc:  # pragma: no cover - depends on the machine
        return f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}"


_PG_PROBLEM = _postgres_available()


def _require(backend: str) -> None:
    if backend == "postgresql" and _PG_PROBLEM:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs PostgreSQL: {_PG_PROBLEM}")
        pytest.skip(_PG_PROBLEM)


def create_database(backend: str, tmp_dir: Path) -> str:
    """A new, empty database of this backend; returns its URL."""
    name = f"pbvote_test_{uuid.uuid4().hex[:12]}"
    if backend == "sqlite":
        return f"sqlite:///{tmp_dir / (name + '.db')}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def settings_for(database_url: str) -> Settings:
    return Settings(env="test", database_url=database_url, secret_key=TEST_SECRET)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    _require(request.param)
    return request.param


@pytest.fixture(scope="session")
def migrated_url(backend: str, tmp_path_factory) -> Iterator[str]:
    url = create_database(backend, tmp_path_factory.mktemp(backend))
    migrate.upgrade(url)
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def engine(migrated_url: str) -> Iterator[Engine]:
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        outer = connection.begin()
        yield connection
        outer.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(
        bind=connection,
        class_=Session,
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
def session(session_factory) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def settings(migrated_url: str) -> Settings:
    return settings_for(migrated_url)


@pytest.fixture
def app(settings, engine, session_factory):
    return create_app(settings, engine=engine, session_factory=session_factory)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as client:
        yield client


@dataclass
class Staff:
    user: User
    password: str
    headers: dict[str, str]


@pytest.fixture
def make_staff(session_factory, settings):
    counter = iter(range(1, 10_000))

    def make(role: Role = Role.organizer, email: str | None = None) -> Staff:
        password = "correct horse battery"
        with session_factory() as session:
            user = create_user(
                session=session,
                settings=settings,
                actor=Actor(role="system"),
                email=email or f"{role.value}{next(counter)}@example.org",
                role=role,
                password=password,
            )
            session.commit()
        from datetime import timedelta

        token = issue_access_token(
            secret_key=settings.secret_key, user_id=user.id, ttl=timedelta(hours=1)
        )
        return Staff(
            user=user, password=password, headers={"Authorization": f"Bearer {token.token}"}
        )

    return make


@pytest.fixture
def organizer(make_staff) -> Staff:
    return make_staff(Role.organizer)


@pytest.fixture
def fresh_database_url(backend: str, tmp_path) -> Iterator[str]:
    """An empty database (not migrated) that commits for real; dropped afterwards."""
    url = create_database(backend, tmp_path)
    yield url
    drop_database(url)
