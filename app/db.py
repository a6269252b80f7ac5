"""Engine, naming convention, timezone-aware time, and the per-request session."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine

# Stable constraint names, so migrations can drop and alter them on every backend.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no timezone type: values go in as UTC and come back tagged UTC.
    Naive datetimes are refused, so local time can never slip in unnoticed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pbvote stores UTC, timezone-aware times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            from pathlib import Path

            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=FULL")
        # The secret ballot on disk (README.audit.md): zero what is deleted, and keep the
        # WAL, whose page images link each ballot to its voter's row, short: checkpoint
        # every 100 pages (~10 casts) and cut the file back at each reset.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA wal_autocheckpoint=100")
        cursor.execute("PRAGMA journal_size_limit=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A write transaction takes the write lock at BEGIN: a deferred one that reads
        # first and writes later fails with "database is locked" under concurrency
        # instead of waiting its turn.
        if conn.get_execution_options().get("pbvote_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, class_=Session, expire_on_commit=False)


def open_session(factory: sessionmaker[Session], *, write: bool) -> Session:
    session = factory()
    if write:
        session.connection(execution_options={"pbvote_write": True})
    return session


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: commit on success, roll back on any error.

    Used with scope="function", so the commit happens before the response is sent:
    a 2xx is only ever returned for work that is on disk.
    """
    session = open_session(request.app.state.session_factory, write=request.method in WRITE_METHODS)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


class DatabaseGate:
    """ASGI middleware: no more requests at once than the database can serve.

    A request holds its pooled connection (and, for a write on SQLite, the one write
    lock) across several worker-thread steps: the dependency opens it, the route uses
    it, the teardown commits. If more requests start than there are connections, the
    extra ones sit in worker threads waiting for a connection, until no thread is left
    for a request that holds one to finish: everyone waits out the pool timeout. Here
    requests wait their turn in the event loop instead, before taking a thread: at most
    `capacity` at once (fewer than the worker threads), and on SQLite one write at a time.
    """

    def __init__(self, app: Any, *, capacity: int, one_writer: bool) -> None:
        self.app = app
        self.capacity = capacity
        self.one_writer = one_writer
        self._slots: Any = None
        self._writer: Any = None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        import asyncio
        from contextlib import AsyncExitStack

        if self._slots is None:
            self._slots, self._writer = asyncio.Semaphore(self.capacity), asyncio.Lock()
        async with AsyncExitStack() as stack:
            if self.one_writer and scope["method"] in WRITE_METHODS:
                await stack.enter_async_context(self._writer)
            await stack.enter_async_context(self._slots)
            await self.app(scope, receive, send)


def gate_capacity(engine: Engine, worker_threads: int = 40) -> int:
    """Requests to let through at once: the pool's connections, below the thread count."""
    pool = engine.pool
    size = getattr(pool, "size", lambda: 0)() + max(getattr(pool, "_max_overflow", 0), 0)
    return max(1, min(size or 20, worker_threads - 8))
