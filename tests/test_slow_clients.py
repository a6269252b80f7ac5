"""Memory and connections before sign-in (issue 18.3), against a real server: 200
anonymous connections that trickle headers, push an upload or stall a body cost under
50 MiB, voting goes on meanwhile, and the server closes every one of them by itself."""

import httpx
import pytest

from app import audit
from app.config import Settings
from app.db import make_engine, make_session_factory
from tests.conftest import SERVER_SECRET, server_env
from tests.helpers import HANG_SECONDS, wait_for_health
from tests.slow_clients import crowd, free_port, rss_kib, serve, stop, wait_until_closed
from tests.voting.helpers import build_world, issue_codes

MIB = 1024


@pytest.mark.slow
def test_two_hundred_anonymous_slow_connections_cost_little_and_voting_goes_on(
    backend, migrated_copy_url, tmp_path
):
    engine = make_engine(migrated_copy_url)
    audit.use_secret(engine, SERVER_SECRET)  # the server's key: one key per database
    factory = make_session_factory(engine)
    world = build_world(factory)
    env = {
        **server_env(migrated_copy_url),
        "PBVOTE_HEADER_TIMEOUT_SECONDS": "3",
        "PBVOTE_BODY_TIMEOUT_SECONDS": "4",
    }
    settings = Settings(
        env="test", database_url=migrated_copy_url, secret_key=env["PBVOTE_SECRET_KEY"]
    )
    codes = issue_codes(factory, settings, world.process_id, 3, "slow clients")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(tmp_path / "server.log", "w") as log:
        server = serve(env, port, log)
    try:
        wait_for_health(base, server, log=lambda: (tmp_path / "server.log").read_text())

        def cast(code: str) -> int:
            body = {"credential": {"access_code": code}, "ranking": world.proposals[:2]}
            url = f"{base}/api/processes/{world.process_id}/ballots"
            return httpx.post(url, json=body, timeout=HANG_SECONDS).status_code

        assert cast(codes[0]) == 201  # warm: the first ballot loads what every one needs
        before = rss_kib(server.pid, "VmHWM")  # the peak, not only what is left at the end
        made = crowd(
            port, world.process_id, headers=70, uploads=70, bodies=60, upload_bytes=1024 * 1024
        )
        assert len(made.connections) == 200
        assert cast(codes[1]) == 201  # a resident votes while they hang on
        grown = rss_kib(server.pid, "VmHWM") - before
        assert grown < 50 * MIB, f"{grown / MIB:.0f} MiB more with 200 slow connections"
        # Nobody's upload was taken: each was answered 401 before its body was read.
        uploads = [c for c in made.connections if c.kind == "uploads"]
        wait_until_closed(made, server, HANG_SECONDS)
        assert all(c.answer.startswith(b"HTTP/1.1 401") for c in uploads)
        assert all(c.sent < 10 * 1024 * 1024 for c in uploads)
        stalled = [c for c in made.connections if c.kind == "bodies"]
        assert all(c.answer.startswith(b"HTTP/1.1 408") for c in stalled)
        assert all(c.answer == b"" for c in made.connections if c.kind == "headers")
        made.close()
        assert cast(codes[2]) == 201
    finally:
        stop(server)
