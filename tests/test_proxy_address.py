"""The client address behind a reverse proxy, through a real `pbvote serve` (uvicorn).

Every per-address limit (login throttling, wrong access codes, ideas per hour) keys on the
client address. `pbvote serve` believes X-Forwarded-For only from the proxies named in
PBVOTE_FORWARDED_ALLOW_IPS (uvicorn's own default would believe 127.0.0.1): unset, a
client could name any address it likes in the header and so escape every limit.
"""

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import select

from app.db import make_engine, make_session_factory
from app.users.models import LoginThrottle
from tests.conftest import REPO, server_env
from tests.helpers import HANG_SECONDS, free_port, wait_for_health

CLAIMED = "203.0.113.7"  # what the request's X-Forwarded-For says


@contextmanager
def serving(database_url: str, log_path, **env: str) -> Iterator[str]:
    port = free_port()
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
            env={**server_env(database_url), **env},
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for_health(base, server, log=log_path.read_text)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=HANG_SECONDS)


def address_counters(database_url: str) -> set[str]:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            keys = session.execute(select(LoginThrottle.key)).scalars()
            return {key for key in keys if key.startswith("address:")}
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env", "seen"),
    [
        # No proxy named: the header is the client's say-so, ignored (uvicorn's own
        # default, and its variable, would believe a proxy on 127.0.0.1).
        ({"FORWARDED_ALLOW_IPS": "127.0.0.1"}, "127.0.0.1"),
        ({"PBVOTE_FORWARDED_ALLOW_IPS": "10.0.0.9"}, "127.0.0.1"),  # another proxy named
        ({"PBVOTE_FORWARDED_ALLOW_IPS": "127.0.0.1"}, CLAIMED),  # the proxy it came through
    ],
    ids=["default", "other-proxy", "this-proxy"],
)
def test_the_client_address_comes_from_the_proxy_header_only_when_configured(
    migrated_copy_url, tmp_path, env, seen
):
    with serving(migrated_copy_url, tmp_path / "server.log", **env) as base:
        r = httpx.post(
            f"{base}/api/auth/token",
            json={"email": "nobody@example.org", "password": "not a password"},
            headers={"X-Forwarded-For": CLAIMED},
            timeout=HANG_SECONDS,
        )
        assert r.status_code == 401, r.text
    assert address_counters(migrated_copy_url) == {f"address:{seen}"}
