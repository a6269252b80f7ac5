"""What the database files keep: after funding, no stored byte links a ballot to its voter.

PostgreSQL: read the raw pages with `pageinspect` (as its superuser, as the test cluster
runs), dead row versions included, after the reseal and a plain VACUUM.
"""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.audit import Actor
from app.main import create_app
from app.processes import service as processes
from app.processes.phases import Phase
from app.users.models import Role
from app.users.service import create_user
from tests.conftest import settings_for
from tests.voting.test_concurrency import live, make_codes  # noqa: F401 - fixture

VOTERS = 30
TABLES = ("ballot", "ballot_receipt", "participation")


def _cast_all(url, factory, world) -> None:
    app = create_app(settings_for(url), engine=factory.kw["bind"])
    with TestClient(app) as client:
        for n, code in enumerate(make_codes(factory, world.process_id, VOTERS)):
            body = {"credential": {"access_code": code}, "ranking": world.proposals[: 1 + n % 5]}
            r = client.post(f"/api/processes/{world.process_id}/ballots", json=body)
            assert r.status_code == 201, r.text


def _to_funding(url: str, factory, process_id: int) -> None:
    with factory() as s:
        organizer = create_user(
            session=s,
            settings=settings_for(url),
            actor=Actor("system"),
            email="o@example.org",
            role=Role.organizer,
            password="x" * 12,
        )
        s.commit()
        processes.transition(
            session=s,
            actor=Actor(role="organizer", user_id=organizer.id),
            process_id=process_id,
            to=Phase.funding,
            reason="count",
        )
        s.commit()


def _pages(conn, table: str) -> list[int]:
    size = conn.execute(text(f"SELECT pg_relation_size('{table}') / 8192")).scalar_one()
    return list(range(size))


def _tuple_xids(conn, table: str) -> set[int]:
    """t_xmin and t_xmax of every line pointer, live or dead, on every page."""
    xids: set[int] = set()
    for block in _pages(conn, table):
        for xmin, xmax in conn.execute(
            text(
                "SELECT t_xmin::text::bigint, t_xmax::text::bigint "
                f"FROM heap_page_items(get_raw_page('{table}', {block}))"
            )
        ):
            xids.update(x for x in (xmin, xmax) if x)
    return xids


def _raw(conn, table: str) -> bytes:
    return b"".join(
        bytes(conn.execute(text(f"SELECT get_raw_page('{table}', {b})")).scalar_one())
        for b in _pages(conn, table)
    )


def test_no_stored_byte_links_a_ballot_to_its_voter_after_funding_on_postgresql(
    live,  # noqa: F811
    backend,
):
    if backend != "postgresql":
        pytest.skip("PostgreSQL's files")
    url, engine, factory, world = live
    _cast_all(url, factory, world)
    admin = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    admin.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    casts = {int(x) for x in admin.execute(text("SELECT xmin::text FROM participation")).scalars()}
    assert len(casts) == VOTERS
    # Before funding the link is there to find: this test can fail.
    assert casts <= _tuple_xids(admin, "ballot")
    _to_funding(url, factory, world.process_id)
    admin.execute(text("VACUUM ballot, ballot_receipt, participation"))
    for table in TABLES:
        assert not _tuple_xids(admin, table) & casts, table
        raw = _raw(admin, table)
        found = [x for x in casts if x.to_bytes(4, "little") in raw]
        assert found == [], f"{table}: raw pages still hold cast transactions {found}"
    # The rows are all still there, and their physical order is the key order.
    assert admin.execute(text("SELECT count(*) FROM ballot")).scalar_one() == VOTERS
    assert admin.execute(text("SELECT count(*) FROM participation")).scalar_one() == VOTERS
    order = list(admin.execute(text("SELECT id FROM ballot ORDER BY ctid")).scalars())
    assert order == sorted(order)
    admin.close()


def _ballot_leaf_offsets(url: str) -> list[list[int]]:
    """For each leaf page of `ballot` in the SQLite file: its cells' offsets, in key order."""
    import sqlite3

    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = [
            n
            for (n,) in db.execute(
                "SELECT pageno FROM dbstat WHERE name = 'ballot' AND pagetype = 'leaf'"
            )
        ]
    with open(path, "rb") as file:
        data = file.read()
    leaves = []
    for n in pages:
        page, at = data[(n - 1) * size : n * size], 100 if n == 1 else 0
        cells = int.from_bytes(page[at + 3 : at + 5], "big")
        leaves.append(
            [int.from_bytes(page[at + 8 + 2 * i : at + 10 + 2 * i], "big") for i in range(cells)]
        )
    return leaves


def _in_key_order(offsets: list[int]) -> bool:
    # Cells are allocated downwards from the page's end: written in key order, the offsets
    # fall as the keys rise; anything else is the order the ballots were cast in.
    return all(a > b for a, b in zip(offsets, offsets[1:], strict=False))


def test_sqlite_keeps_a_short_wal_and_no_insertion_order_after_funding(live, backend):  # noqa: F811
    if backend != "sqlite":
        pytest.skip("SQLite's files")
    import os

    url, engine, factory, world = live
    wal = url.removeprefix("sqlite:///") + "-wal"
    _cast_all(url, factory, world)
    _cast_all(url, factory, world)
    # During voting the WAL holds the page images of the casts since its last reset:
    # each pairs a new ballot with its participation row. It stays short.
    assert os.path.getsize(wal) <= 200 * (4096 + 24) + 32
    leaves = _ballot_leaf_offsets(url)
    assert not all(_in_key_order(leaf) for leaf in leaves)  # the cast order is there to see
    _to_funding(url, factory, world.process_id)
    assert os.path.getsize(wal) == 0  # checkpointed and cut after the reseal
    leaves = _ballot_leaf_offsets(url)
    assert sum(map(len, leaves)) == 2 * VOTERS
    assert all(_in_key_order(leaf) for leaf in leaves)
