"""Races on real databases: one credential, many concurrent casts, one ballot.

These use `migrated_copy_url` (real commits) with a real engine, 50 threads through one
TestClient, and two uvicorn processes racing on one database.
"""

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from app.audit import SYSTEM, verify_chain
from app.db import make_engine, make_session_factory
from app.main import create_app
from app.processes import service as processes
from app.processes.phases import Phase
from app.users.models import Role
from app.users.service import create_user
from app.voting import service as voting
from app.voting.models import AccessCode, Ballot, BallotReceipt, Participation, PollWorkerSite
from app.voting.schemas import IdentityIn
from tests.conftest import TEST_SECRET, settings_for
from tests.helpers import HANG_SECONDS, free_port, wait_for_health
from tests.voting.helpers import build_world

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IDENTITY = {"name": "Thu Trang Nguyễn", "birth_date": "1980-02-29", "postal_code": "14605"}


@pytest.fixture
def live(migrated_copy_url):
    """A migrated real database, its engine and session factory, and a world in voting."""
    engine = make_engine(migrated_copy_url)
    factory = make_session_factory(engine)
    world = build_world(factory)
    yield migrated_copy_url, engine, factory, world
    engine.dispose()


def row_counts(factory) -> tuple[int, int, int]:
    with factory() as s:
        return tuple(
            s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Ballot, Participation, BallotReceipt)
        )


def make_codes(factory, process_id: int, count: int) -> list[str]:
    with factory() as s:
        _, codes = voting.generate_access_codes(
            session=s,
            settings=settings_for("sqlite://"),
            actor=SYSTEM,
            process_id=process_id,
            count=count,
            label=f"batch-{time.monotonic_ns()}",
        )
        s.commit()
    return codes


def test_fifty_concurrent_casts_with_one_code_make_one_ballot(live):
    url, engine, factory, world = live
    (code,) = make_codes(factory, world.process_id, 1)
    app = create_app(settings_for(url), engine=engine)
    body = {"credential": {"access_code": code}, "ranking": world.proposals[:5]}
    with TestClient(app) as client, ThreadPoolExecutor(50) as pool:
        statuses = list(
            pool.map(
                lambda _: (
                    client.post(f"/api/processes/{world.process_id}/ballots", json=body).status_code
                ),
                range(50),
            )
        )
    assert sorted(statuses) == [201] + [409] * 49
    assert row_counts(factory) == (1, 1, 1)
    with factory() as s:
        assert verify_chain(session=s).ok


def test_fifty_concurrent_identity_casts_make_one_ballot(live):
    url, engine, factory, world = live
    with factory() as s:
        rules = voting.get_rules(session=s, process_id=world.process_id)
        rules.credential = "identity"
        s.add(rules)
        s.commit()
    app = create_app(settings_for(url), engine=engine)

    def attempt(n: int) -> int:
        who = {**IDENTITY, "name": IDENTITY["name"].lower() if n % 2 else IDENTITY["name"]}
        body = {"credential": {"identity": who}, "ranking": world.proposals[:3]}
        return client.post(f"/api/processes/{world.process_id}/ballots", json=body).status_code

    with TestClient(app) as client, ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(attempt, range(50)))
    assert sorted(statuses) == [201] + [409] * 49
    assert row_counts(factory) == (1, 1, 1)


def test_concurrent_casts_and_check_ins_for_one_person_make_one_vote(live):
    url, engine, factory, world = live
    with factory() as s:
        rules = voting.get_rules(session=s, process_id=world.process_id)
        rules.credential = "identity"
        s.add(rules)
        worker = create_user(
            session=s,
            settings=settings_for(url),
            actor=SYSTEM,
            email="pw@example.org",
            role=Role.poll_worker,
            password="x" * 12,
        )
        s.add(PollWorkerSite(site_id=world.sites[0], user_id=worker.id))
        s.commit()
    from datetime import timedelta

    from app.security import issue_access_token

    token = issue_access_token(secret_key=TEST_SECRET, user_id=worker.id, ttl=timedelta(hours=1))
    staff = {"Authorization": f"Bearer {token.token}"}
    app = create_app(settings_for(url), engine=engine)
    pid = world.process_id

    def attempt(n: int) -> int:
        who = {**IDENTITY, "name": IDENTITY["name"].upper() if n % 3 else IDENTITY["name"]}
        if n % 2:
            r = client.post(
                f"/api/processes/{pid}/ballots",
                json={"credential": {"identity": who}, "ranking": world.proposals[:2]},
            )
        else:
            r = client.post(
                f"/api/processes/{pid}/check-ins",
                json={
                    "site_id": world.sites[0],
                    "mode": "kiosk" if n % 4 else "paper",
                    "identity": who,
                },
                headers=staff,
            )
        return r.status_code

    # 30, not 50: check-in goes through SessionDep, whose SQLite write transaction spans
    # several thread-pool hops; past the pool's 40 threads, waiting requests starve the
    # one holding the lock (a foundation limit, reported; casting is one hop and takes 50).
    with TestClient(app) as client, ThreadPoolExecutor(30) as pool:
        statuses = list(pool.map(attempt, range(30)))
    assert sorted(statuses) == [201] + [409] * 29, statuses
    with factory() as s:
        assert s.execute(select(func.count()).select_from(Participation)).scalar_one() == 1


def _serve(url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "PBVOTE_ENV": "test",
        "PBVOTE_DATABASE_URL": url,
        "PBVOTE_SECRET_KEY": TEST_SECRET,
        "PYTHONPATH": ROOT,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "app.main:app_from_environment",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_up(port: int, server: subprocess.Popen) -> None:
    wait_for_health(f"http://127.0.0.1:{port}", server, log=lambda: server.stderr.read().decode())


@pytest.mark.slow
def test_two_app_processes_never_accept_two_ballots_for_one_person(live):
    url, engine, factory, world = live
    with factory() as s:
        rules = voting.get_rules(session=s, process_id=world.process_id)
        rules.credential = "both"
        s.add(rules)
        s.commit()
    codes = make_codes(factory, world.process_id, 40)
    ports = [free_port(), free_port()]
    servers = [_serve(url, port) for port in ports]
    try:
        for port, server in zip(ports, servers, strict=True):
            _wait_up(port, server)
        # 40 distinct codes, one person: the person may vote once, whichever instance.
        # Plus one code raced 20 times (with different people) across both instances.
        shared = codes.pop()

        def attempt(n: int) -> int:
            port = ports[n % 2]
            if n < 39:
                body = {
                    "credential": {"access_code": codes[n], "identity": IDENTITY},
                    "ranking": world.proposals[:1],
                }
            else:
                who = {**IDENTITY, "name": f"Person {n}"}
                body = {
                    "credential": {"access_code": shared, "identity": who},
                    "ranking": world.proposals[:1],
                }
            r = httpx.post(
                f"http://127.0.0.1:{port}/api/processes/{world.process_id}/ballots",
                json=body,
                timeout=HANG_SECONDS,
            )
            return r.status_code

        with ThreadPoolExecutor(32) as pool:
            statuses = list(pool.map(attempt, range(59)))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(HANG_SECONDS)
    person, code = statuses[:39], statuses[39:]
    assert sorted(person) == [201] + [409] * 38, person
    assert sorted(code) == [201] + [409] * 19, code
    assert row_counts(factory) == (2, 2, 2)
    with factory() as s:
        assert (
            s.execute(
                select(func.count()).select_from(AccessCode).where(AccessCode.used_at.is_not(None))
            ).scalar_one()
            == 2
        )


def test_entering_funding_reseals_ballots_on_postgresql(live, backend):
    url, engine, factory, world = live
    codes = make_codes(factory, world.process_id, 5)
    settings = settings_for(url)
    for code in codes:
        with factory() as s:
            from app.voting.schemas import CredentialIn

            voting.cast_ballot(
                session=s,
                settings=settings,
                process_id=world.process_id,
                credential=CredentialIn(access_code=code),
                ranking=world.proposals[:2],
            )
            s.commit()
    with factory() as s:
        before = sorted(s.execute(select(Ballot.id, Ballot.cast_on)).all())
        worker = create_user(
            session=s,
            settings=settings,
            actor=SYSTEM,
            email="o@example.org",
            role=Role.organizer,
            password="x" * 12,
        )
        s.commit()
        from app.audit import Actor

        processes.transition(
            session=s,
            actor=Actor(role="organizer", user_id=worker.id),
            process_id=world.process_id,
            to=Phase.funding,
            reason="count",
        )
        s.commit()
    with factory() as s:
        assert sorted(s.execute(select(Ballot.id, Ballot.cast_on)).all()) == before
        assert all(isinstance(d, date) for _, d in before)
        if backend == "postgresql":
            ballot_xmins = set(s.execute(text("SELECT xmin::text FROM ballot")).scalars())
            vote_xmins = set(s.execute(text("SELECT xmin::text FROM participation")).scalars())
            # One transaction (the reseal) wrote every ballot and participation row.
            assert len(ballot_xmins) == 1 and vote_xmins == ballot_xmins
            order = list(s.execute(text("SELECT id FROM ballot ORDER BY ctid")).scalars())
            assert order == sorted(order)


def test_identity_in_schema_is_normalised():
    assert IdentityIn(**{**IDENTITY, "postal_code": " 14 605 "}).postal_code == "14605"
