"""A change bound to a phase (or to an open paper batch) is checked on the row as it is at
commit, never on an object the request read earlier.

For every mutating route of the app (the table of tests/test_phase_matrix.py), on a real
database: the request starts while its process is in a phase that allows it; after the
request's first read and before its lock (the first `read_for_change`), another connection
moves the process one phase on, to a phase that does not allow it, and commits. The request
must be refused, store nothing, and leave a trace of the refusal (the audit chain for staff,
the refusal counts for residents). The same request without the race must change something,
or the race proves nothing.

On SQLite the interleaving cannot happen: a writing request holds the database's write lock
from BEGIN, which the other connection finds taken.
"""

import sqlite3
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from app import db, migrate
from app.audit import Actor, AuditEntry, RefusalCount
from app.db import make_engine, make_session_factory
from app.equity.service import survey_token
from app.main import create_app
from app.processes.models import Process
from app.processes.service import window_of
from app.refusals import flush_refusals
from app.security import issue_access_token
from app.users.models import Role
from app.users.service import create_user
from tests.conftest import Staff, settings_for
from tests.ideas.helpers import PHASES
from tests.test_phase_matrix import ALLOWED, NO_PHASE, REQUESTS, build, send, stored_rows

PHASE_ROUTES = sorted(key for key, allowed in ALLOWED.items() if allowed is not NO_PHASE)
PAPER_ROUTES = sorted(
    {
        key
        for key in PHASE_ROUTES
        if "{batch_id}" in key[1] or "batch" in str(REQUESTS[key][2].get("data", {}))
    }
)
# Routes that check their phase on a locked read yet change nothing: the kiosk's ballot
# page only shows the ballot to a checked-in voter (the ticket is spent at the cast).
CHANGES_NOTHING = {("POST", "/kiosk/ballot")}
ORIGIN = {"Origin": "http://testserver"}
IDENTITY = {"name": "Ana Díaz", "birth_date": "1990-04-02", "postal_code": "14604"}


def race_of(allowed: frozenset[str]) -> tuple[str, str] | None:
    """(from, to): a phase that allows the route and the next one, which does not."""
    for here, following in zip(PHASES, PHASES[1:], strict=False):
        if here in allowed and following not in allowed:
            return here, following
    return None


class Live:
    """A migrated database that commits for real, an app on it, and a way to build the
    phase matrix's world in it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.factory = make_session_factory(self.engine)
        self.settings = settings_for(url)
        self.app = create_app(self.settings, engine=self.engine)
        self.client = TestClient(self.app, base_url="http://testserver")
        self._n = 0

    def staff(self, role: Role = Role.organizer) -> Staff:
        self._n += 1
        password = "correct horse battery"
        with self.factory() as session:
            user = create_user(
                session=session,
                settings=self.settings,
                actor=Actor(role="system"),
                email=f"{role.value}{self._n}@example.org",
                role=role,
                password=password,
            )
            session.commit()
        token = issue_access_token(
            secret_key=self.settings.secret_key, user_id=user.id, ttl=timedelta(hours=1)
        )
        return Staff(user, password, {"Authorization": f"Bearer {token.token}"})

    def world(self, phase: str):
        organizer = self.staff()
        world = build(self.app, self.client, self.factory, self.staff, organizer)
        self.set(world.ids["process_id"], phase=phase)
        following = PHASES.index(phase) + 1
        world.ids["next_phase"] = PHASES[following] if following < len(PHASES) else "closed"
        world.ids["phase"] = phase
        with self.factory() as session:
            world.ids["window"] = window_of(session.get(Process, world.ids["process_id"]))
        return world

    def set(self, process_id: int, **columns: Any) -> None:
        with self.engine.begin() as conn:
            values = {"tie_break_seed": "5eed" * 8, **columns}
            sets = ", ".join(f"{k} = :{k}" for k in values)
            conn.execute(
                text(f"UPDATE pb_process SET {sets} WHERE id = :pid"), {**values, "pid": process_id}
            )

    def state(self) -> tuple[str, int]:
        """What is stored, and how many actions the audit chain records as done."""
        with self.factory() as session:
            done = session.execute(
                select(func.count()).where(AuditEntry.outcome == "ok")
            ).scalar_one()
        return stored_rows(self.factory), done

    def refusals(self) -> int:
        flush_refusals(self.app)
        with self.factory() as session:
            refused = session.execute(
                select(func.count()).where(AuditEntry.outcome == "refused")
            ).scalar_one()
            counted = session.execute(select(func.coalesce(func.sum(RefusalCount.count), 0)))
            return refused + counted.scalar_one()

    def close(self) -> None:
        self.client.close()
        self.engine.dispose()


@pytest.fixture
def live(fresh_database_url) -> Iterator[Live]:
    migrate.upgrade(fresh_database_url)
    live = Live(fresh_database_url)
    yield live
    live.close()


# --- requests that must succeed without the race -------------------------------------------
# The phase matrix's requests are made to be refused for their phase; some would be refused
# anyway (a made-up access code, a sheet not typed in). These make them real.


def _api(live: Live, world, method: str, path: str, **kwargs):
    client, headers = world.clients["organizer"]
    response = client.request(method, path.format(**world.ids), headers=headers, **kwargs)
    assert response.status_code < 300, response.text
    return response


def _code(live: Live, world) -> str:
    made = _api(
        live,
        world,
        "POST",
        "/api/processes/{process_id}/access-codes",
        json={"count": 1, "label": "race"},
    )
    return made.json()["codes"][0]


def _criteria(world) -> list[int]:
    client, _ = world.clients["organizer"]
    return [
        c["id"] for c in client.get(f"/api/processes/{world.ids['process_id']}/criteria").json()
    ]


def _typed(live: Live, world, sheet: int, marks_by_worker: list[list[dict]]) -> None:
    """Sheet `sheet` typed in by the site's worker and then by a second worker."""
    client, _ = world.clients["organizer"]
    second = world.ids.setdefault("second", live.staff(Role.poll_worker))
    _api(live, world, "POST", "/api/sites/{site_id}/poll-workers", json={"user_id": second.user.id})
    for headers, marks in zip(
        [world.clients["worker"][1], second.headers], marks_by_worker, strict=True
    ):
        r = client.post(
            f"/api/paper-batches/{world.ids['batch_id']}/entries",
            json={"sheet": sheet, "marks": marks},
            headers=headers,
        )
        assert r.status_code < 300, r.text


ONE = [{"rank": 1, "ballot_number": 1}]
TWO = [{"rank": 1, "ballot_number": 2}]


def _prepare(live: Live, world, key) -> Callable[[], Any] | None:
    """A request for `key` that changes something in its phase, or None for the table's."""
    ids = world.ids
    public = world.clients["public"][0]
    if key == ("POST", "/api/ideas/{idea_id}/unhide"):
        _api(live, world, "POST", "/api/ideas/{idea_id}/hide", json={"reason": "Spam."})
    elif key == ("PUT", "/api/ideas/{idea_id}/scores/me"):
        client, headers = world.clients["delegate"]
        scores = {str(c): 3 for c in _criteria(world)}
        return lambda: client.put(
            f"/api/ideas/{ids['idea_id']}/scores/me", json={"scores": scores}, headers=headers
        )
    elif key == ("POST", "/delegate/ideas/{idea_id}"):
        client, _ = world.clients["delegate_page"]
        form = {f"criterion_{c}": "3" for c in _criteria(world)}
        return lambda: client.post(
            f"/delegate/ideas/{ids['idea_id']}", data=form, headers=ORIGIN, follow_redirects=False
        )
    elif key == ("POST", "/api/processes/{process_id}/ballots"):
        body = {"credential": {"access_code": _code(live, world)}, "ranking": [ids["funded_id"]]}
        return lambda: public.post(f"/api/processes/{ids['process_id']}/ballots", json=body)
    elif key == ("POST", "/processes/{process_id}/vote"):
        form = {"access_code": _code(live, world), "rank_1": str(ids["funded_id"])}
        # As the page does: it reads the process to draw itself, then casts.
        return lambda: public.post(
            f"/processes/{ids['process_id']}/vote",
            data=form,
            headers=ORIGIN,
            follow_redirects=False,
        )
    elif key == ("POST", "/processes/{process_id}/survey"):
        token = survey_token(live.settings.secret_key, ids["process_id"], receipt="R-1")
        form = {"k": token, "age_band": "18_24"}
        return lambda: public.post(
            f"/processes/{ids['process_id']}/survey",
            data=form,
            headers=ORIGIN,
            follow_redirects=False,
        )
    elif key == ("POST", "/kiosk/cast"):
        worker_api, worker_headers = world.clients["worker"]
        checked_in = worker_api.post(
            f"/api/processes/{ids['process_id']}/check-ins",
            json={"site_id": ids["site_id"], "mode": "kiosk", "identity": IDENTITY},
            headers=worker_headers,
        )
        assert checked_in.status_code == 201, checked_in.text
        kiosk, _ = world.clients["worker_page"]  # the poll worker's device becomes the kiosk
        opened = kiosk.post(
            f"/station/sites/{ids['site_id']}/kiosk", headers=ORIGIN, follow_redirects=False
        )
        assert opened.status_code == 303, opened.text
        ticket = checked_in.json()["kiosk_ticket"]
        started = kiosk.post(
            "/kiosk/ballot",
            data={"kiosk_ticket": ticket},
            headers=ORIGIN,
            follow_redirects=False,
        )
        assert started.status_code < 400, started.text
        form = {"rank_1": str(ids["funded_id"])}
        return lambda: kiosk.post("/kiosk/cast", data=form, headers=ORIGIN, follow_redirects=False)
    elif key == ("POST", "/api/paper-batches/{batch_id}/close"):
        _typed(live, world, 1, [ONE, ONE])
        _typed(live, world, 2, [TWO, TWO])
    elif key in (
        ("POST", "/api/paper-batches/{batch_id}/sheets/{sheet}/resolve"),
        ("POST", "/organize/batches/{batch_id}/sheets/{sheet}"),
    ):
        _typed(live, world, 1, [ONE, TWO])
    return None


def before_first_lock(monkeypatch, act: Callable[[], None]) -> list[bool]:
    """Runs `act` once, inside the request, just before its first lock (app.db's `hold` or
    `read_for_change`, wherever a module imported them)."""
    fired: list[bool] = []

    def first_of(real):
        def wrapper(*args, **kwargs):
            if not fired:
                fired.append(True)
                act()
            return real(*args, **kwargs)

        return wrapper

    for real in (db.read_for_change, db.hold):
        wrapped = first_of(real)
        for module in list(sys.modules.values()):
            if getattr(module, "__name__", "").startswith("app.") and (
                getattr(module, real.__name__, None) is real
            ):
                monkeypatch.setattr(module, real.__name__, wrapped)
    return fired


def _race(live: Live, monkeypatch, key, here: str, change: Callable[[Any], None]):
    """The control (no race: something is stored), then the race (nothing is)."""
    control = live.world(here)
    request = _prepare(live, control, key) or (lambda: send(control, key))
    before = live.state()
    response = request()
    assert response.status_code < 500, response.text
    assert live.state() != before, (
        f"{key} in {here} changed nothing without a race ({response.status_code}): "
        f"{response.text[:300]}"
    )

    world = live.world(here)
    request = _prepare(live, world, key) or (lambda: send(world, key))
    seen: dict[str, Any] = {}

    def concurrently() -> None:
        change(world)
        seen["state"], seen["refusals"] = live.state(), live.refusals()

    fired = before_first_lock(monkeypatch, concurrently)
    response = request()
    monkeypatch.undo()
    assert fired, f"{key} never read its row for a change"
    assert response.status_code < 500, response.text
    assert live.state() == seen["state"], f"{key} stored something after the race"
    assert live.refusals() > seen["refusals"], f"{key}: the refusal left no trace"
    return response


@pytest.mark.parametrize("key", PHASE_ROUTES, ids=lambda k: f"{k[0]} {k[1]}")
def test_a_phase_change_between_read_and_lock_is_seen(backend, live, monkeypatch, key):
    race = race_of(ALLOWED[key])
    if race is None:
        pytest.skip("no phase allows it that a move forward would end")
    if key in CHANGES_NOTHING:
        pytest.skip("it changes nothing: see CHANGES_NOTHING")
    here, there = race
    if backend == "sqlite":
        _sqlite_holds_the_writer_lock(live, monkeypatch, key, here)
        return

    def move_on(world) -> None:
        live.set(world.ids["process_id"], phase=there)

    _race(live, monkeypatch, key, here, move_on)


@pytest.mark.parametrize("key", PAPER_ROUTES, ids=lambda k: f"{k[0]} {k[1]}")
def test_a_batch_closed_between_read_and_lock_is_seen(backend, live, monkeypatch, key):
    if backend == "sqlite":
        _sqlite_holds_the_writer_lock(live, monkeypatch, key, "voting")
        return

    def close_batch(world) -> None:
        with live.engine.begin() as conn:
            conn.execute(
                text("UPDATE paper_batch SET status = 'closed' WHERE id = :id"),
                {"id": world.ids["batch_id"]},
            )

    _race(live, monkeypatch, key, "voting", close_batch)


def _sqlite_holds_the_writer_lock(live: Live, monkeypatch, key, here: str) -> None:
    world = live.world(here)
    request = _prepare(live, world, key) or (lambda: send(world, key))
    path = live.url.removeprefix("sqlite:///")
    outcome: list[str] = []

    def try_to_write() -> None:
        other = sqlite3.connect(path, timeout=0)  # the lock is held by this very thread
        try:
            other.execute("BEGIN IMMEDIATE")
            outcome.append("got the lock")
            other.rollback()
        except sqlite3.OperationalError as exc:
            outcome.append(str(exc))
        finally:
            other.close()

    before_first_lock(monkeypatch, try_to_write)
    response = request()
    monkeypatch.undo()
    assert response.status_code < 500, response.text
    assert outcome == ["database is locked"], outcome
