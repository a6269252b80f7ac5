"""Login throttling holds under concurrency, across two app instances on one database.

50 wrong passwords at once, through two apps with their own engines and real commits:
exactly `login_free_failures` passwords are checked, every other attempt is a 429, and
none is a 409 (two requests inserting the same counter) or a 5xx.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.audit import Actor
from app.config import Settings
from app.db import make_engine, make_session_factory
from app.main import create_app
from app.users import service as users
from app.users.models import LoginThrottle, Role
from tests.conftest import TEST_SECRET
from tests.helpers import HANG_SECONDS

ATTEMPTS = 50


def test_fifty_wrong_passwords_at_once_check_only_the_free_ones(migrated_copy_url, monkeypatch):
    # A lockout longer than any slow machine takes to send the 50 requests.
    settings = Settings(
        env="test",
        database_url=migrated_copy_url,
        secret_key=TEST_SECRET,
        login_lockout_base_seconds=3600,
        login_lockout_max_seconds=7200,
    )
    # Small pools: the PostgreSQL server is shared, and 2 x 5 connections make the race.
    engines = [make_engine(migrated_copy_url, pool_size=5, max_overflow=0) for _ in range(2)]
    with make_session_factory(engines[0])() as session:
        users.create_user(
            session=session,
            settings=settings,
            actor=Actor(role="system"),
            email="org@example.org",
            role=Role.organizer,
            password="correct horse battery",
        )
        session.commit()
    checked = Counter()
    guard = threading.Lock()
    verify = users.verify_password

    def counting_verify(password, password_hash, *, settings):
        with guard:
            checked["passwords"] += 1
        return verify(password, password_hash, settings=settings)

    monkeypatch.setattr(users, "verify_password", counting_verify)
    apps = [create_app(settings, engine=engine) for engine in engines]
    start = threading.Barrier(ATTEMPTS)
    with TestClient(apps[0]) as first, TestClient(apps[1]) as second:

        def attempt(n: int) -> int:
            start.wait(timeout=HANG_SECONDS)
            client = (first, second)[n % 2]
            body = {"email": "org@example.org", "password": f"wrong password {n}"}
            return client.post("/api/auth/token", json=body).status_code

        with ThreadPoolExecutor(ATTEMPTS) as pool:
            statuses = Counter(pool.map(attempt, range(ATTEMPTS)))
        free = settings.login_free_failures
        assert checked["passwords"] == free
        assert statuses == {401: free, 429: ATTEMPTS - free}
        locked = first.post(
            "/api/auth/token",
            json={"email": "org@example.org", "password": "correct horse battery"},
        )
        assert locked.status_code == 429 and checked["passwords"] == free
    with make_session_factory(engines[1])() as session:
        counters = session.execute(select(LoginThrottle).order_by(LoginThrottle.key)).scalars()
        assert {row.key: row.failures for row in counters} == {
            "account-address:org@example.org|testclient": free,
            "address:testclient": free,
        }
    for engine in engines:
        engine.dispose()
