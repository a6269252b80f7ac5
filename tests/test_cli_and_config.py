import subprocess
import sys

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from app.config import DEFAULT_SECRET, Settings
from app.db import make_engine
from app.demo import DEMO_NAME, DEMO_ORGANIZER
from app.processes.models import PhaseTransition, Process
from app.users.models import User
from tests.conftest import SERVER_SECRET, _migrate, demo_copy, drop_database, shared_copy
from tests.helpers import HANG_SECONDS


def run(url, *args, stdin="", secret=None):
    env = {"PBVOTE_DATABASE_URL": url, "PBVOTE_ENV": "development", "PATH": "/usr/bin:/bin"}
    if secret:
        env["PBVOTE_SECRET_KEY"] = secret
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
    )


@pytest.mark.parametrize("secret", ["", DEFAULT_SECRET])
def test_the_default_secret_is_refused_outside_development(secret):
    with pytest.raises(ValidationError, match="PBVOTE_SECRET_KEY"):
        Settings(env="production", secret_key=secret)
    assert Settings(env="development", secret_key=secret).secret_key == secret


def test_a_short_secret_is_refused_in_production():
    with pytest.raises(ValidationError, match="at least 16"):
        Settings(env="production", secret_key="short-secret")


def test_cli_refuses_to_run_with_the_default_secret(tmp_path):
    env = {"PBVOTE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "PATH": "/usr/bin:/bin"}
    r = subprocess.run(
        [sys.executable, "-m", "app.cli", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
    )
    assert r.returncode == 2 and "PBVOTE_SECRET_KEY" in r.stderr


def test_db_upgrade_and_users_create(fresh_database_url):
    assert run(fresh_database_url, "db", "check").returncode == 1
    assert run(fresh_database_url, "db", "upgrade").returncode == 0
    assert run(fresh_database_url, "db", "check").returncode == 0

    created = run(
        fresh_database_url,
        "users",
        "create",
        "--email",
        "Ann@Example.org",
        "--role",
        "delegate",
        stdin="a long password\n",
    )
    assert created.returncode == 0, created.stderr
    again = run(
        fresh_database_url,
        "users",
        "create",
        "--email",
        "ann@example.org",
        "--role",
        "delegate",
        stdin="a long password\n",
    )
    assert again.returncode == 2 and "already an account" in again.stderr
    short = run(
        fresh_database_url,
        "users",
        "create",
        "--email",
        "bo@example.org",
        "--role",
        "organizer",
        stdin="short\n",
    )
    assert short.returncode == 2 and "at least" in short.stderr
    assert run(fresh_database_url, "audit", "verify").returncode == 0


@pytest.mark.slow  # the whole demo: ideas, proposals, 2,702 ballots, the count
def test_demo_loads_once(backend, tmp_path):
    """`pbvote demo` on a migrated database: the run's shared demo was loaded by this very
    command (demo_copy), once; here is what it said, and a second run on a copy of it."""
    demo = demo_copy(backend, tmp_path)
    try:
        _check_the_demo(demo)
    finally:
        drop_database(demo.url)


def _check_the_demo(demo):
    assert DEMO_ORGANIZER in demo.said and f"loaded: {DEMO_NAME}" in demo.said
    second = run(demo.url, "demo", secret=SERVER_SECRET)
    assert second.returncode == 0 and "already loaded" in second.stdout

    engine = make_engine(demo.url)
    with engine.connect() as conn:
        processes = conn.execute(
            select(Process.name, Process.budget_cents, Process.ballot_size)
        ).all()
        organizers = conn.execute(
            select(func.count()).select_from(User).where(User.role == "organizer")
        ).scalar_one()
        transitions = conn.execute(select(func.count()).select_from(PhaseTransition)).scalar_one()
    assert processes[0] == (DEMO_NAME, 200_000_00, 5)
    assert len(processes) == 2  # and a small practice process to try the ballot
    assert organizers == 21  # the demo organizer and the 20-member leadership team
    assert transitions >= 1
    verified = run(demo.url, "audit", "verify", secret=SERVER_SECRET)
    assert verified.returncode == 0, verified.stderr
    engine.dispose()


def test_unknown_command_is_a_usage_error(tmp_path):
    r = run(f"sqlite:///{tmp_path}/x.db", "frobnicate")
    assert r.returncode == 2 and "invalid choice" in r.stderr


def test_demo_refuses_a_production_database_unless_asked_then_uses_random_passwords(
    tmp_path, monkeypatch, capsys
):
    from types import SimpleNamespace

    from app import cli, config, demo

    # Migrated: the command checks the database's key record before it loads anything.
    url = shared_copy("migrated", "sqlite", _migrate, tmp_path).url
    monkeypatch.setenv("PBVOTE_DATABASE_URL", url)
    monkeypatch.setenv("PBVOTE_ENV", "production")
    monkeypatch.setenv("PBVOTE_SECRET_KEY", "a-real-production-secret-0123456789")
    monkeypatch.delenv("PBVOTE_DEMO_PASSWORD", raising=False)
    config.get_settings.cache_clear()
    loaded: list[dict] = []

    def fake_load(**kwargs):
        loaded.append(kwargs)
        process = SimpleNamespace(id=1, name=DEMO_NAME)
        return SimpleNamespace(created=True, process=process, organizer_email=DEMO_ORGANIZER)

    monkeypatch.setattr(demo, "load_demo", fake_load)
    try:
        assert cli.main(["demo"]) == 2
        assert loaded == [] and "--allow-production" in capsys.readouterr().err
        assert cli.main(["demo", "--allow-production", "--password", cli.DEMO_PASSWORD]) == 0
    finally:
        config.get_settings.cache_clear()
    out = capsys.readouterr().out
    [used] = loaded
    organizer, poll_worker = used["organizer_password"], used["poll_worker_password"]
    assert cli.DEMO_PASSWORD not in out and organizer != poll_worker
    assert len(organizer) >= 20 and f"{DEMO_ORGANIZER} / {organizer}" in out
    assert f"/ {poll_worker}" in out
