"""No acknowledged ballot is lost when the server is killed mid-vote (SIGKILL, no shutdown).

A real server (pbvote serve, two uvicorn workers) takes ballots from eight clients; it is
killed without warning while they are casting, then started again on the same database.
Every ballot the server answered 201 for must be there (its receipt counted), and no
more ballots than were sent.
"""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app import audit
from app.config import Settings
from app.db import make_engine, make_session_factory
from app.voting.models import Ballot, Participation
from tests.browser.conftest import server_env
from tests.helpers import HANG_SECONDS, free_port, wait_for_health
from tests.voting.helpers import build_world, issue_codes

REPO = Path(__file__).resolve().parents[2]
SECRET = "browser-test-secret-0123456789"  # what server_env gives the server


def start(url: str, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "2"],
        env=server_env(url),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_health(f"http://127.0.0.1:{port}", server)
    except AssertionError:
        os.killpg(server.pid, signal.SIGKILL)
        raise
    return server


@pytest.mark.slow
def test_killing_the_server_loses_no_acknowledged_ballot(backend, migrated_copy_url):
    engine = make_engine(migrated_copy_url)
    audit.use_secret(engine, SECRET)  # the server's key: one key per database
    factory = make_session_factory(engine)
    world = build_world(factory)
    settings = Settings(env="test", database_url=migrated_copy_url, secret_key=SECRET)
    codes = issue_codes(factory, settings, world.process_id, 400, "crash test")
    port = free_port()
    server = start(migrated_copy_url, port)
    receipts: list[str] = []
    sent = 0
    lock = threading.Lock()

    def power_cut() -> None:  # no shutdown, no flush
        os.killpg(server.pid, signal.SIGKILL)

    def voter(chunk: list[str]) -> None:
        nonlocal sent
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=HANG_SECONDS) as client:
            for code in chunk:
                with lock:
                    sent += 1
                try:
                    r = client.post(
                        f"/api/processes/{world.process_id}/ballots",
                        json={"credential": {"access_code": code}, "ranking": world.proposals[:3]},
                    )
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code == 201:
                    with lock:
                        receipts.append(r.json()["receipt"])
                        if len(receipts) == 60:
                            # Cut at once by the voter that saw it, while the others' casts
                            # are on their way: never after all 400, however slow the machine.
                            power_cut()

    threads = [threading.Thread(target=voter, args=(codes[n::8],)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if server.poll() is None:  # fewer than 60 answered: the assertion below says so
        power_cut()
    server.wait()
    acknowledged = list(receipts)
    assert 60 <= len(acknowledged) < 400

    server = start(migrated_copy_url, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            lost = [
                r
                for r in acknowledged
                if client.get(f"/api/processes/{world.process_id}/receipts/{r}").status_code != 200
            ]
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    assert lost == []
    with engine.connect() as conn:
        ballots = conn.execute(select(func.count()).select_from(Ballot)).scalar_one()
        voters = conn.execute(select(func.count()).select_from(Participation)).scalar_one()
    # Casts in flight at the kill may have committed unanswered, never more than were sent.
    assert len(acknowledged) <= ballots == voters <= sent
    engine.dispose()
