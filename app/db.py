"""Engine, naming convention, timezone-aware time, and the per-request session.

How a request meets the database (the one concurrency story):

1. `app.bodylimit.BodyLimit` (ASGI, outermost) receives the whole request body before the
   app sees the request, counting bytes as they arrive (with or without Content-Length) and
   answering 413 past the limit. A slow or stalled upload therefore holds nothing but its
   own socket and a little memory.
2. Routes are plain `def` functions; FastAPI runs them and their sync dependencies in its
   worker threads. A route that talks to the database asks for `SessionDep`, which first
   takes a *database slot* (`DbSlot`, an async dependency, so the waiting happens in the
   event loop, never in a worker thread): at most as many requests as the pool has
   connections, fewer than the worker threads, so a request that holds a slot always finds
   a thread and a connection. On SQLite a writing request (POST, PUT, PATCH, DELETE) also
   takes the one writer lock: an in-process queue, then an `flock` on a file beside the
   database so several server processes queue in turn too, instead of sleeping in SQLite's
   busy handler with its growing back-off. Its transaction then starts with BEGIN IMMEDIATE.
3. Both dependencies have scope="function": the session commits (or rolls back), closes,
   and gives the slot back when the route returns, before the response is sent. A 2xx is
   only ever sent for work that is on disk, and a slow reader of the response holds nothing.
4. The few places that open a session of their own (the JSON API's ballot cast, whose
   refusal goes to the error handler yet must keep a wrong code's throttle entry; the
   audit entry of a refusal raised to a handler) hold a slot for it the same way: `DbSlot`
   on the route, `database_slot()` in a handler. The ballot page and the kiosk cast in the
   request's own session: a refusal rolls the cast back, keeps the guess in that session,
   and the page answers it, so the dependency commits (app/voting/casting.py).

PostgreSQL needs no writer lock: rows, not the database, are locked.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: one server process, no file lock
    fcntl = None  # type: ignore[assignment]

# Stable constraint names, so migrations can drop and alter them on every backend.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

Row = TypeVar("Row")

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
        # The secret ballot on disk (docs/secret-ballot.md): zero what is deleted, keep the
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


class DatabaseSlots:
    """At most `capacity` requests at the database at once, and on SQLite one writer.

    Waiters queue in the event loop (asyncio primitives, made per running loop); only the
    one writer of this process waits for the cross-process file lock, in a thread of its own.
    """

    def __init__(self, *, capacity: int, writer_lock_file: str | None, one_writer: bool) -> None:
        self.capacity = capacity
        self.one_writer = one_writer
        self._lock_file = open(writer_lock_file, "a+b") if writer_lock_file else None  # noqa: SIM115
        self._flock_thread = CapacityLimiter(1)
        self._loop: Any = None

    def _primitives(self) -> tuple[asyncio.Semaphore, asyncio.Lock]:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new loop (tests start one per client): fresh queues
            self._loop, self._slots, self._writer = (
                loop,
                asyncio.Semaphore(self.capacity),
                asyncio.Lock(),
            )
        return self._slots, self._writer

    @asynccontextmanager
    async def slot(self, *, write: bool) -> AsyncIterator[None]:
        slots, writer = self._primitives()
        if not (write and self.one_writer):
            async with slots:
                yield
            return
        async with writer, slots:
            if self._lock_file is None:
                yield
                return
            fd = self._lock_file.fileno()
            try:  # mostly free: take it without a trip to a thread
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                await to_thread.run_sync(fcntl.flock, fd, fcntl.LOCK_EX, limiter=self._flock_thread)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)


def database_slots(engine: Engine, worker_threads: int = 40) -> DatabaseSlots:
    sqlite = engine.dialect.name == "sqlite"
    database = engine.url.database if sqlite else None
    on_disk = bool(database) and database != ":memory:" and fcntl is not None
    return DatabaseSlots(
        capacity=slot_capacity(engine, worker_threads),
        writer_lock_file=f"{database}.write-lock" if on_disk else None,
        one_writer=sqlite,
    )


def slot_capacity(engine: Engine, worker_threads: int = 40) -> int:
    """Requests to let through at once: the pool's connections, below the thread count."""
    pool = engine.pool
    size = getattr(pool, "size", lambda: 0)() + max(getattr(pool, "_max_overflow", 0), 0)
    return max(1, min(size or 20, worker_threads - 8))


def database_slot(request: Request, *, write: bool | None = None):
    """The slot context of this request (for code that opens a session of its own)."""
    if write is None:
        write = request.method in WRITE_METHODS
    return request.app.state.database_slots.slot(write=write)


async def _hold_slot(request: Request) -> AsyncIterator[None]:
    async with database_slot(request):
        yield


DbSlot = Depends(_hold_slot, scope="function")


def get_session(request: Request, _slot: Annotated[None, DbSlot]) -> Iterator[Session]:
    """One transaction per request, inside the request's database slot: commit on success,
    roll back on any error, before the response is sent (see the module docstring)."""
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


def read_for_change(
    session: Session, model: type[Row], key: Any, *, locked_by_caller: bool = False
) -> Row | None:
    """The row `key` of `model` as it is now, locked until the transaction ends: the one way
    a check that must hold at commit reads its row.

    Locked: `FOR UPDATE` on PostgreSQL (unless `locked_by_caller`: the caller holds a lock
    that guards the row, see `hold`); on SQLite a writing request holds the database's write
    lock from BEGIN. Re-read (`populate_existing`): an object this session loaded before (a
    page reads the process to draw itself, then calls a service) is overwritten with the
    row's values as they are now, so a change another transaction committed in between is
    seen; without it SQLAlchemy would lock the row yet hand back the old object.
    """
    lock = None if locked_by_caller else True
    return session.get(model, key, with_for_update=lock, populate_existing=True)


def hold(session: Session, space: int, key: int, *, shared: bool) -> None:
    """Take the lock `(space, key)` until the transaction ends (PostgreSQL's advisory
    transaction locks; nothing on SQLite, whose writing requests hold the database's one
    write lock from BEGIN).

    Unlike row locks, these wait in turn: once an exclusive holder is waiting, new shared
    requests queue behind it. Row locks do not (a `FOR UPDATE` waits for the `FOR KEY
    SHARE` holders of the moment, and new ones keep joining them), so a phase change
    behind a stream of casts waited until the stream stopped."""
    if session.get_bind().dialect.name != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    session.execute(text(f"SELECT {function}(:space, :key)"), {"space": space, "key": key})


def add_to_counter(session: Session, table: Any, keys: dict[str, Any], column: str) -> int:
    """Adds one to `column` of the row of `table` with these `keys` (made at 1 when absent)
    and returns the new value: one atomic statement, so several app instances counting
    at once each get their own number (on PostgreSQL the row stays locked until commit)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(table)
        .values(**keys, **{column: 1})
        .on_conflict_do_update(index_elements=list(keys), set_={column: table.c[column] + 1})
        .returning(table.c[column])
    )
    return session.execute(statement).scalar_one()


def rewrite_in_key_order(session: Session, tables: Sequence[tuple[str, str]]) -> None:
    """Rewrite each (table, key) in key order in this transaction, so that neither the
    rows' place on disk nor (on PostgreSQL) their xmin says in what order they were
    written: TRUNCATE gives a PostgreSQL table a new file, cut to nothing at commit;
    SQLite rebuilds the pages and secure_delete zeroes the freed bytes. The tables are
    locked first, in the order given (see app.voting.service `_reseal` for why)."""
    session.flush()
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        names = ", ".join(name for name, _ in tables)
        session.execute(text(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"))
    for name, key in tables:
        session.execute(text(f"CREATE TEMP TABLE reseal_{name} AS SELECT * FROM {name}"))
        session.execute(text(f"{'TRUNCATE' if postgres else 'DELETE FROM'} {name}"))
        session.execute(text(f"INSERT INTO {name} SELECT * FROM reseal_{name} ORDER BY {key}"))
        session.execute(text(f"DROP TABLE reseal_{name}"))
