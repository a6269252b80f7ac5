"""Test databases: every database test runs on SQLite and on PostgreSQL.

Each backend gets one database per test run, migrated with Alembic (never SQLModel table
creation), and each test process works on its own copy of it. Each test runs inside a
transaction that is rolled back; the app's sessions join it through savepoints, so commits
and rollbacks behave as in production. Tests that need real commits across connections use
`migrated_copy_url` (or `fresh_database_url`, empty, to migrate themselves); tests that need
the demo work on a copy of it (`demo_copy`).
"""

import fcntl
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
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
    if backend == "sqlite":
        return f"sqlite:///{tmp_dir / f'pbvote_test_{uuid.uuid4().hex[:12]}.db'}"
    return _new_postgres_database()


def _new_postgres_database(template: str | None = None) -> str:
    name = f"pbvote_test_{uuid.uuid4().hex[:12]}"
    copying = f' TEMPLATE "{template}"' if template else ""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copying}'))
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


def copy_database(source_url: str, backend: str, tmp_dir: Path) -> str:
    """A new database holding what `source_url` holds (SQLite's backup; PostgreSQL's
    CREATE DATABASE … TEMPLATE, which needs nobody connected to the source)."""
    if backend == "sqlite":
        target = create_database(backend, tmp_dir)
        with (
            closing(sqlite3.connect(source_url.removeprefix("sqlite:///"))) as src,
            closing(sqlite3.connect(target.removeprefix("sqlite:///"))) as dst,
        ):
            src.backup(dst)
        return target
    return _new_postgres_database(template=source_url.rsplit("/", 1)[1])


# --- databases built once per test run, shared by every xdist worker -----------------------
# The process that starts the run names a folder; the workers it starts inherit the name.
# Whoever first needs a shared database builds it there, under a lock; everyone, the builder
# too, then works on copies, so no test sees another's changes and nobody but the builder
# ever connects to the original. The starting process drops them all when the run ends.

_RUN_DIR_VARIABLE = "PBVOTE_TEST_RUN_DIR"
_STARTED_HERE = _RUN_DIR_VARIABLE not in os.environ
if _STARTED_HERE:  # made when first needed
    os.environ[_RUN_DIR_VARIABLE] = f"{tempfile.gettempdir()}/pbvote-tests-{uuid.uuid4().hex}"
RUN_DIR = Path(os.environ[_RUN_DIR_VARIABLE])


@dataclass(frozen=True)
class SharedCopy:
    url: str
    said: str  # what building the shared original printed (e.g. `pbvote demo`'s output)


def shared_copy(name: str, backend: str, build: Callable[[str], str], tmp_dir: Path) -> SharedCopy:
    """A copy of this run's shared `name` database of this backend; `build(url)` fills the
    original, the first time one is asked for, and returns what it said."""
    RUN_DIR.mkdir(mode=0o700, exist_ok=True)
    record = RUN_DIR / f"{name}-{backend}.json"
    with open(RUN_DIR / f"{name}-{backend}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not record.exists():
            url = create_database(backend, RUN_DIR)
            try:
                said = build(url)
            except BaseException:
                drop_database(url)
                raise
            record.write_text(json.dumps({"url": url, "said": said}))
        original = json.loads(record.read_text())
        return SharedCopy(copy_database(original["url"], backend, tmp_dir), original["said"])


@pytest.hookimpl(trylast=True)  # after xdist has stopped its workers
def pytest_sessionfinish(session):
    if not _STARTED_HERE:
        return
    for record in RUN_DIR.glob("*.json"):  # none if the folder was never made
        drop_database(json.loads(record.read_text())["url"])
    shutil.rmtree(RUN_DIR, ignore_errors=True)


def _migrate(url: str) -> str:
    migrate.upgrade(url)
    return ""


REPO = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "demo-organizer-2019"  # the README's
SERVER_SECRET = "browser-test-secret-0123456789"


def server_env(database_url: str) -> dict[str, str]:
    """The environment of a test's `pbvote` command or server: the test settings."""
    return {
        **os.environ,
        "PBVOTE_DATABASE_URL": database_url,
        "PBVOTE_ENV": "test",
        "PBVOTE_SECRET_KEY": SERVER_SECRET,
    }


def _load_demo(url: str) -> str:
    migrate.upgrade(url)
    run = subprocess.run(
        [sys.executable, "-m", "app.cli", "demo", "--password", DEMO_PASSWORD],
        env=server_env(url),
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def demo_copy(backend: str, tmp_dir: Path) -> SharedCopy:
    """A database of its own holding `pbvote demo` (loaded once per run and backend, with the
    test settings: the audit chain keyed with SERVER_SECRET); `said` is what the command
    printed. The caller drops it."""
    return shared_copy("demo", backend, _load_demo, tmp_dir)


def settings_for(database_url: str) -> Settings:
    return Settings(env="test", database_url=database_url, secret_key=TEST_SECRET)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    _require(request.param)
    return request.param


@pytest.fixture(scope="session")
def _migrated_databases(tmp_path_factory) -> Iterator[Callable[[str], tuple[str, Engine]]]:
    """This process's migrated database and engine of each backend, made when first asked
    for and kept to the end: pytest ends a parametrized session fixture whenever the next
    test has the other backend, and a worker switches backends often."""
    made: dict[str, tuple[str, Engine]] = {}

    def of(backend: str) -> tuple[str, Engine]:
        if backend not in made:
            tmp_dir = tmp_path_factory.mktemp(backend)
            url = shared_copy("migrated", backend, _migrate, tmp_dir).url
            made[backend] = (url, make_engine(url))
        return made[backend]

    yield of
    for url, engine in made.values():
        engine.dispose()
        drop_database(url)


@pytest.fixture(scope="session")
def migrated_url(backend: str, _migrated_databases) -> str:
    return _migrated_databases(backend)[0]


@pytest.fixture(scope="session")
def engine(backend: str, _migrated_databases) -> Engine:
    return _migrated_databases(backend)[1]


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
def migrated_copy_url(backend: str, tmp_path) -> Iterator[str]:
    """A migrated database of its own that commits for real (a copy of the run's migrated
    one, so no test migrates again); dropped afterwards."""
    url = shared_copy("migrated", backend, _migrate, tmp_path).url
    yield url
    drop_database(url)


@pytest.fixture
def fresh_database_url(backend: str, tmp_path) -> Iterator[str]:
    """An empty database (not migrated) that commits for real; dropped afterwards."""
    url = create_database(backend, tmp_path)
    yield url
    drop_database(url)
