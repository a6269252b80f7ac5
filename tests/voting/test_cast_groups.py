"""Group commit (app.voting.casting): casts that arrive together share one transaction.

Real commits on both databases. The first group is held back until many casts wait, so
later groups certainly hold several casts; refusals inside a group stay alone, and a
group whose commit fails tells none of its voters that their ballot is stored.
"""

import time
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.audit import AuditEntry, verify_chain
from app.main import create_app
from app.voting import service
from tests.conftest import settings_for
from tests.voting.test_concurrency import live, make_codes, row_counts  # noqa: F401


def _hold_first_group_until(app, waiting: int, monkeypatch) -> list[int]:
    """Spy on the groups' audit appends; the first waits until `waiting` casts queue.

    Only on PostgreSQL: on SQLite the app lets one write request in at a time (one
    writer), so casts never queue here and each goes alone."""
    sizes: list[int] = []
    real = service.audit_casts

    def spy(*, session, casts):
        if not sizes and session.get_bind().dialect.name == "postgresql":
            deadline = time.monotonic() + 60
            while len(app.state.cast_groups._waiting) < waiting and time.monotonic() < deadline:
                time.sleep(0.01)
        sizes.append(len(casts))
        real(session=session, casts=casts)

    monkeypatch.setattr(service, "audit_casts", spy)
    return sizes


def _cast_entries(factory) -> int:
    with factory() as s:
        return s.execute(
            select(func.count()).where(
                AuditEntry.action == "ballot.cast", AuditEntry.outcome == "ok"
            )
        ).scalar_one()


def test_grouped_casts_keep_every_rule_of_a_single_cast(live, monkeypatch):  # noqa: F811
    url, engine, factory, world = live
    codes = make_codes(factory, world.process_id, 31)
    app = create_app(settings_for(url), engine=engine)
    good = [{"credential": {"access_code": c}, "ranking": world.proposals[:3]} for c in codes[:30]]
    twice = [{"credential": {"access_code": codes[30]}, "ranking": world.proposals[:1]}] * 5
    unknown = [{"credential": {"access_code": codes[0]}, "ranking": [world.draft_proposal]}]
    bodies = good + twice + unknown * 5
    with TestClient(app) as client, ThreadPoolExecutor(len(bodies)) as pool:
        client.get("/healthz")
        app.state.cast_groups = None  # made on first cast, below
        from app.voting.router import _cast_groups

        _cast_groups(app)
        sizes = _hold_first_group_until(app, 10, monkeypatch)
        url_ = f"/api/processes/{world.process_id}/ballots"
        statuses = list(pool.map(lambda b: client.post(url_, json=b).status_code, bodies))
    assert statuses[:30] == [201] * 30
    assert sorted(statuses[30:35]) == [201] + [409] * 4
    assert statuses[35:] == [422] * 5  # not on the ballot, whichever group it was in
    if url.startswith("postgresql"):
        assert max(sizes) > 1  # casts did share transactions
    assert sum(sizes) == 31
    assert row_counts(factory) == (31, 31, 31)
    assert _cast_entries(factory) == 31
    with factory() as s:
        assert verify_chain(session=s).ok


def test_a_group_whose_commit_fails_stores_and_acknowledges_nothing(live, monkeypatch):  # noqa: F811
    url, engine, factory, world = live
    codes = make_codes(factory, world.process_id, 12)
    app = create_app(settings_for(url), engine=engine)
    real = service.audit_casts
    failed: list[int] = []

    def fail_once(*, session, casts):
        real(session=session, casts=casts)
        if not failed:
            failed.append(len(casts))
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(service, "audit_casts", fail_once)
    bodies = [{"credential": {"access_code": c}, "ranking": world.proposals[:2]} for c in codes]
    with TestClient(app, raise_server_exceptions=False) as client, ThreadPoolExecutor(12) as pool:
        url_ = f"/api/processes/{world.process_id}/ballots"
        statuses = list(pool.map(lambda b: client.post(url_, json=b).status_code, bodies))
    assert statuses.count(500) == failed[0]
    assert statuses.count(201) == 12 - failed[0]
    assert row_counts(factory) == (12 - failed[0],) * 3
    assert _cast_entries(factory) == 12 - failed[0]
