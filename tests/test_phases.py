"""The phase state machine: every allowed step, every refused one."""

import threading
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.db import make_engine, utcnow
from app.main import create_app
from app.processes.models import PhaseTransition, Process
from app.processes.phases import ORDER, Phase
from app.users.models import Role
from tests.conftest import settings_for
from tests.helpers import (
    PROCESS,
    assert_error,
    audit_actions,
    count,
    put_on_ballot,
    store_ballot,
)
from tests.test_processes import set_phase

PAIRS = [(a, b) for a in ORDER for b in ORDER]
ALLOWED = [(ORDER[i], ORDER[i + 1]) for i in range(len(ORDER) - 1)]
REFUSED = [pair for pair in PAIRS if pair not in ALLOWED]


def new_process(client, headers, **changes):
    """A published process (residents read it): drafts are tested in tests/test_publishing.py."""
    r = client.post("/api/processes", headers=headers, json={**PROCESS, **changes})
    assert r.status_code == 201, r.text
    published = client.post(f"/api/processes/{r.json()['id']}/publish", headers=headers)
    assert published.status_code == 200, published.text
    return r.json()["id"]


def move(client, headers, pid, to, reason="Steering committee decision."):
    return client.post(
        f"/api/processes/{pid}/transitions", headers=headers, json={"to": to, "reason": reason}
    )


def test_the_whole_cycle_one_step_at_a_time(client, organizer, session, session_factory):
    pid = new_process(client, organizer.headers)
    for before, after in ALLOWED:
        if after == Phase.voting:
            proposals = put_on_ballot(session_factory, pid)
        if after == Phase.funding:
            store_ballot(session_factory, pid, proposals[:3])
        r = move(client, organizer.headers, pid, after.value, f"Moving to {after.value}.")
        assert r.status_code == 201, r.text
        assert (r.json()["from_phase"], r.json()["to_phase"]) == (before.value, after.value)
        assert client.get(f"/api/processes/{pid}").json()["phase"] == after.value
    history = client.get(f"/api/processes/{pid}/transitions").json()
    assert [(h["from_phase"], h["to_phase"]) for h in history] == [
        (a.value, b.value) for a, b in ALLOWED
    ]
    assert all(h["actor_id"] == organizer.user.id for h in history)
    assert [h["reason"] for h in history][0] == "Moving to idea_collection."
    assert all(h["at"] for h in history)
    actions = [a for a, outcome in audit_actions(session) if a.startswith("process.transition")]
    assert actions == [f"process.transition.{b.value}" for _, b in ALLOWED]


@pytest.mark.parametrize(("start", "to"), REFUSED, ids=[f"{a}->{b}" for a, b in REFUSED])
def test_every_other_move_is_refused_and_changes_nothing(client, organizer, session, start, to):
    pid = new_process(client, organizer.headers)
    set_phase(session, pid, start.value)
    before = client.get(f"/api/processes/{pid}").json()
    body = assert_error(move(client, organizer.headers, pid, to.value), 409, "transition_refused")
    assert body["from"] == start.value and body["to"] == to.value
    if start == Phase.closed:
        assert "closed" in body["message"]
    elif to == start:
        assert "already" in body["message"]
    elif ORDER.index(to) < ORDER.index(start):
        assert "only move forward" in body["message"]
    else:
        assert "one step at a time" in body["message"]
    assert client.get(f"/api/processes/{pid}").json() == before
    assert count(session, PhaseTransition) == 0
    assert (f"process.transition.{to.value}", "refused") in audit_actions(session)


@pytest.mark.parametrize("role", [Role.delegate, Role.poll_worker])
def test_only_organizers_move_phases(client, organizer, make_staff, session, role):
    pid = new_process(client, organizer.headers)
    assert_error(move(client, make_staff(role).headers, pid, "idea_collection"), 403)
    assert_error(move(client, {}, pid, "idea_collection"), 401)
    assert client.get(f"/api/processes/{pid}").json()["phase"] == "design"
    assert count(session, PhaseTransition) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"to": "voting"},
        {"to": "voting", "reason": ""},
        {"to": "counting", "reason": "x"},
        {"reason": "x"},
    ],
)
def test_a_transition_needs_a_known_phase_and_a_reason(client, organizer, body):
    pid = new_process(client, organizer.headers)
    assert_error(
        client.post(f"/api/processes/{pid}/transitions", headers=organizer.headers, json=body), 422
    )


def test_unknown_process_transition_is_404(client, organizer):
    assert_error(move(client, organizer.headers, 424242, "idea_collection"), 404)


def test_funding_waits_for_the_voting_window_to_end(client, organizer, session, session_factory):
    closes = utcnow() + timedelta(days=3)
    pid = new_process(
        client,
        organizer.headers,
        voting_opens_at=utcnow().isoformat(),
        voting_closes_at=closes.isoformat(),
    )
    proposals = put_on_ballot(session_factory, pid)
    set_phase(session, pid, "proposal_development")
    assert move(client, organizer.headers, pid, "voting").status_code == 201
    store_ballot(session_factory, pid, proposals[:2])
    body = assert_error(move(client, organizer.headers, pid, "funding"), 409, "transition_refused")
    assert "Voting is open until" in body["message"]
    assert client.get(f"/api/processes/{pid}").json()["phase"] == "voting"
    process = session.get(Process, pid)
    process.voting_closes_at = utcnow() - timedelta(seconds=1)
    session.add(process)
    session.commit()
    assert move(client, organizer.headers, pid, "funding").status_code == 201


def test_voting_cannot_open_after_its_window_closed(client, organizer, session):
    pid = new_process(client, organizer.headers)
    process = session.get(Process, pid)
    process.voting_opens_at = utcnow() - timedelta(days=10)
    process.voting_closes_at = utcnow() - timedelta(days=1)
    process.phase = "proposal_development"
    session.add(process)
    session.commit()
    body = assert_error(move(client, organizer.headers, pid, "voting"), 409)
    assert "set a later voting_closes_at" in body["message"]


def test_tie_break_seed_is_drawn_when_voting_opens(client, organizer, session, session_factory):
    first = new_process(client, organizer.headers)
    second = new_process(client, organizer.headers)
    seeds = []
    for pid in (first, second):
        set_phase(session, pid, "proposal_development")
        put_on_ballot(session_factory, pid)
        assert client.get(f"/api/processes/{pid}").json()["tie_break_seed"] is None
        assert move(client, organizer.headers, pid, "voting").status_code == 201
        seeds.append(client.get(f"/api/processes/{pid}").json()["tie_break_seed"])
    assert all(seed and len(seed) == 32 for seed in seeds)
    assert seeds[0] != seeds[1]


@pytest.fixture
def real_app(migrated_copy_url):
    """An app on a migrated database that commits for real, and an organizer's headers."""
    from app.audit import SYSTEM
    from app.db import make_session_factory, open_session
    from app.security import issue_access_token
    from app.users.service import create_user

    settings = settings_for(migrated_copy_url)
    engine = make_engine(migrated_copy_url)
    with open_session(make_session_factory(engine), write=True) as session:
        user = create_user(
            session=session,
            settings=settings,
            actor=SYSTEM,
            email="o@example.org",
            role=Role.organizer,
            password="long enough pass",
        )
        session.commit()
    token = issue_access_token(
        secret_key=settings.secret_key, user_id=user.id, ttl=timedelta(hours=1)
    ).token
    yield create_app(settings, engine=engine), engine, {"Authorization": f"Bearer {token}"}
    engine.dispose()


def test_two_organizers_at_once_make_one_transition(real_app):
    """Real commits, eight threads: the row lock lets exactly one step through."""
    app, engine, headers = real_app
    with TestClient(app) as client:
        pid = new_process(client, headers)
        barrier = threading.Barrier(8)
        statuses = []

        def press():
            barrier.wait()
            statuses.append(move(client, headers, pid, "idea_collection").status_code)

        threads = [threading.Thread(target=press) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(statuses) == [201] + [409] * 7
    with engine.connect() as conn:
        rows = conn.execute(select(PhaseTransition.__table__)).all()
    assert len(rows) == 1


def test_many_concurrent_writes_do_not_stall(real_app):
    """More simultaneous writers than worker threads: every one gets through promptly."""
    from concurrent.futures import ThreadPoolExecutor

    app, engine, headers = real_app
    with TestClient(app) as client, ThreadPoolExecutor(80) as pool:
        statuses = list(
            pool.map(
                lambda n: (
                    client.post(
                        "/api/processes", headers=headers, json={**PROCESS, "name": f"PB {n}"}
                    ).status_code
                ),
                range(80),
            )
        )
    assert statuses == [201] * 80
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Process)).scalar_one() == 80
