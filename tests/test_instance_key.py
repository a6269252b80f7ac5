"""Issue 18, item 6: one database, one PBVOTE_SECRET_KEY.

Person keys, code hashes and the audit chain are keyed with the secret: an instance with
another key than the one the database was first served with would take a second ballot
from the same person and break the chain. It refuses to start and writes nothing; the
`pbvote` commands refuse too. Instances with the same key serve side by side.
"""

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app import audit
from app.audit import AuditHead, InstanceKey, KeyRefused
from app.db import make_engine, make_session_factory, open_session
from app.main import create_app
from app.security import issue_access_token
from app.users.models import Role, User
from app.users.service import create_user
from tests.conftest import REPO, TEST_SECRET, settings_for
from tests.helpers import HANG_SECONDS, PROCESS

OTHER_SECRET = "another-secret-key-of-some-length"
MISMATCH = "PBVOTE_SECRET_KEY is not the key this database was started with"


@pytest.fixture
def engines(migrated_copy_url):
    """Two instances' engines on one database that commits for real."""
    made = [make_engine(migrated_copy_url) for _ in range(2)]
    yield made
    for engine in made:
        engine.dispose()


def _app(url, engine, secret=TEST_SECRET):
    return create_app(settings_for(url).model_copy(update={"secret_key": secret}), engine=engine)


def _organizer_headers(url, engine) -> dict[str, str]:
    with open_session(make_session_factory(engine), write=True) as session:
        user = create_user(
            session=session,
            settings=settings_for(url),
            actor=audit.SYSTEM,
            email="o@example.org",
            role=Role.organizer,
            password="long enough pass",
        )
        session.commit()
    token = issue_access_token(secret_key=TEST_SECRET, user_id=user.id, ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {token.token}"}


def _written(engine) -> tuple:
    """What a start could have written: the chain's head, the key record, the accounts."""
    with make_session_factory(engine)() as session:
        head = session.get(AuditHead, 1)
        record = session.get(InstanceKey, 1)
        users = session.execute(select(func.count()).select_from(User)).scalar_one()
        return head.seq, head.hash, record and (record.fingerprint, record.keyed_from), users


def test_a_second_instance_with_another_key_refuses_to_start(migrated_copy_url, engines):
    first = _app(migrated_copy_url, engines[0])
    second = _app(migrated_copy_url, engines[1], secret=OTHER_SECRET)
    with TestClient(first) as client:
        headers = _organizer_headers(migrated_copy_url, engines[0])
        assert client.post("/api/processes", headers=headers, json=PROCESS).status_code == 201
        before = _written(engines[1])
        with pytest.raises(KeyRefused, match=MISMATCH), TestClient(second):
            pass
        assert _written(engines[1]) == before
        # The first instance serves on, and its chain is whole.
        assert client.post("/api/processes", headers=headers, json=PROCESS).status_code == 201
    with make_session_factory(engines[0])() as session:
        check = audit.verify_chain(session=session)
    assert check.ok and check.entries == 3 and check.keyed_from == 1


def test_instances_starting_at_once_with_different_keys_one_serves(migrated_copy_url, engines):
    # Nobody served the database before: both try to record their key at the same moment.
    apps = [_app(migrated_copy_url, engines[0]), _app(migrated_copy_url, engines[1], OTHER_SECRET)]
    both_ready = threading.Barrier(2)

    def start(app) -> str | None:
        both_ready.wait(timeout=HANG_SECONDS)
        try:
            with TestClient(app) as client:
                assert client.get("/healthz").status_code == 200
        except KeyRefused as refused:
            return str(refused)
        return None

    with ThreadPoolExecutor(2) as pool:
        problems = list(pool.map(start, apps))
    assert sorted(problem is None for problem in problems) == [False, True]
    served = problems.index(None)
    assert MISMATCH in problems[1 - served]
    with make_session_factory(engines[0])() as session:
        record = session.get(InstanceKey, 1)
    secret = (TEST_SECRET, OTHER_SECRET)[served]
    assert record.fingerprint == audit.key_fingerprint(audit.chain_key(secret))


def test_instances_with_the_same_key_both_serve(migrated_copy_url, engines):
    apps = [_app(migrated_copy_url, engine) for engine in engines]
    with TestClient(apps[0]) as first, TestClient(apps[1]) as second:
        headers = _organizer_headers(migrated_copy_url, engines[0])
        for client in (first, second, first):
            assert client.post("/api/processes", headers=headers, json=PROCESS).status_code == 201
    with make_session_factory(engines[1])() as session:
        check = audit.verify_chain(session=session)
    assert check.ok and check.entries == 4


def _pbvote(url: str, secret: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {
        "PBVOTE_DATABASE_URL": url,
        "PBVOTE_ENV": "test",
        "PBVOTE_SECRET_KEY": secret,
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
    )


@pytest.mark.slow  # four `pbvote` processes
def test_the_commands_refuse_another_key(migrated_copy_url, engines):
    with TestClient(_app(migrated_copy_url, engines[0])):
        _organizer_headers(migrated_copy_url, engines[0])
    before = _written(engines[0])
    create = ("users", "create", "--email", "p@example.org", "--role", "poll_worker")
    refused = _pbvote(migrated_copy_url, OTHER_SECRET, *create, stdin="long enough pass\n")
    assert refused.returncode == 2 and MISMATCH in refused.stderr
    serve = _pbvote(migrated_copy_url, OTHER_SECRET, "serve", "--port", "1")
    assert serve.returncode == 1 and f"pbvote cannot start: {MISMATCH}" in serve.stderr
    verify = _pbvote(migrated_copy_url, OTHER_SECRET, "audit", "verify")
    assert verify.returncode == 2 and MISMATCH in verify.stderr
    assert _written(engines[0]) == before
    made = _pbvote(migrated_copy_url, TEST_SECRET, *create, stdin="long enough pass\n")
    assert made.returncode == 0, made.stderr
