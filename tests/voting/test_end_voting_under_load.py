"""An organizer ends voting, and moves the process to funding, while 32 clients keep casting.

The end must take effect while the casts go on (not once they stop): a cast acknowledged
before the end is in the count, a cast after it is refused, none is lost and none is
stored late. Each client casts until it is told voting has closed, or until a cap that a
working close never lets it reach.
"""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app import migrate
from app.audit import SYSTEM
from app.db import make_engine, make_session_factory
from app.main import create_app
from app.results.models import OfficialResult
from app.security import issue_access_token
from app.users.models import Role
from app.users.service import create_user
from app.voting.models import Ballot, VotingRules
from tests.conftest import settings_for
from tests.voting.helpers import build_world, set_phase

CLIENTS = 32
CAP = 300  # casts per client at most: 9,600 in all; a close that waits for the load to end
WARM = 200  # acknowledged casts before the organizer ends voting


@pytest.fixture
def live(fresh_database_url):
    migrate.upgrade(fresh_database_url)
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    world = build_world(factory)
    with factory() as session:
        session.add(VotingRules(process_id=world.process_id, credential="identity"))
        session.commit()
    set_phase(factory, world.process_id, "voting")
    yield fresh_database_url, engine, factory, world
    engine.dispose()


def _under_load(live, end) -> None:
    """32 clients cast until told voting is over; `end(client)` ends it through the app (an
    organizer's request like any other) once 200 casts are in, then the process moves to
    funding and is counted."""
    url, engine, factory, world = live
    app = create_app(settings_for(url), engine=engine)
    warm, ended = threading.Event(), threading.Event()
    lock = threading.Lock()
    answers: list[tuple[int, str, bool]] = []  # (status, error code, sent after the end)

    def cast(client: TestClient) -> int:
        for n in range(CAP):
            identity = {
                "name": f"Voter {uuid.uuid4().hex}",
                "birth_date": "1980-01-01",
                "postal_code": "14605",
            }
            body = {"credential": {"identity": identity}, "ranking": world.proposals[:3]}
            after = ended.is_set()
            r = client.post(f"/api/processes/{world.process_id}/ballots", json=body)
            error = "" if r.status_code == 201 else r.json()["error"]
            with lock:
                answers.append((r.status_code, error, after))
                if sum(1 for a in answers if a[0] == 201) >= WARM:
                    warm.set()
            if r.status_code != 201:
                assert error in ("voting_closed", "wrong_phase"), r.text
                return n
        return CAP

    with factory() as session:
        user = create_user(
            session=session,
            settings=settings_for(url),
            actor=SYSTEM,
            email="organizer@example.org",
            role=Role.organizer,
            password="correct horse battery",
        )
        session.commit()
    token = issue_access_token(
        secret_key=settings_for(url).secret_key, user_id=user.id, ttl=timedelta(hours=1)
    )
    organizer = {"Authorization": f"Bearer {token.token}"}
    with TestClient(app) as client, ThreadPoolExecutor(CLIENTS) as pool:
        runs = [pool.submit(cast, client) for _ in range(CLIENTS)]
        assert warm.wait(timeout=1800), "the casts never got going"
        began = time.monotonic()
        end(client, organizer, world.process_id)
        ended.set()
        print(f"voting ended {time.monotonic() - began:.2f} s after the organizer asked")
        if not _counted(factory, world.process_id):
            moved = client.post(
                f"/api/processes/{world.process_id}/transitions",
                json={"to": "funding", "reason": "The count."},
                headers=organizer,
            )
            assert moved.status_code == 201, moved.text
        casts_per_client = [run.result() for run in runs]

    # Every client was still casting when voting ended: none reached its cap.
    assert max(casts_per_client) < CAP, casts_per_client
    acknowledged = [a for a in answers if a[0] == 201]
    # Each client stopped at its first refusal, which only the end of voting gives.
    assert len(answers) - len(acknowledged) == CLIENTS
    assert all(a[0] != 201 for a in answers if a[2]), "a cast sent after the end was stored"
    with factory() as session:
        stored = session.execute(select(func.count()).select_from(Ballot)).scalar_one()
        official = session.get(OfficialResult, world.process_id)
    assert stored == len(acknowledged) == official.ballots_counted


def _counted(factory, process_id: int) -> bool:
    with factory() as session:
        return session.get(OfficialResult, process_id) is not None


def test_ending_voting_now_takes_effect_while_32_clients_cast(live):
    def end_now(client, organizer, process_id) -> None:
        r = client.post(
            f"/api/processes/{process_id}/window",
            json={"end_now": True, "reason": "The library closes early today."},
            headers=organizer,
        )
        assert r.status_code == 201, r.text

    _under_load(live, end_now)


def test_moving_to_funding_takes_effect_while_32_clients_cast(live):
    def to_funding(client, organizer, process_id) -> None:
        r = client.post(
            f"/api/processes/{process_id}/transitions",
            json={"to": "funding", "reason": "No window: the count now."},
            headers=organizer,
        )
        assert r.status_code == 201, r.text

    _under_load(live, to_funding)
