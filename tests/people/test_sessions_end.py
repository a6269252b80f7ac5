"""An organizer's decision ends a staff member's sign-ins at once, on every app instance:
a password reset, a deactivation and a reactivation each end the page cookies and API tokens
made before it (user_account.session_generation, read fresh on every request), and taking a
poll worker off a site closes the kiosk they opened there, whichever instance serves it.
(Each decision at a kiosk: tests/voting/test_kiosk_closes.py.)"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from app.audit import Actor
from app.auth import STAFF_COOKIE
from app.db import make_engine, make_session_factory
from app.main import create_app
from app.users.models import Role
from app.users.service import create_user
from app.web.i18n import translate
from tests.conftest import Staff, settings_for
from tests.people.helpers import ORIGIN, browser, post, sign_in
from tests.voting.helpers import build_world
from tests.voting.test_kiosk_pages import open_kiosk, ranks, start, ticket_for

PASSWORD = "correct horse battery"


@dataclass
class SignIns:
    """One person's sign-ins: the pages' cookie and an API token."""

    cookie: str
    token: str

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def signed_in_from(client: TestClient, email: str, password: str = PASSWORD) -> SignIns:
    """A sign-in on the pages and one on the API, both made through `client`'s instance."""
    page = browser(client.app)
    page.post("/station/login", headers=ORIGIN, data={"email": email, "password": password})
    api = client.post("/api/auth/token", json={"email": email, "password": password})
    assert STAFF_COOKIE in page.cookies and api.status_code == 200, api.text
    return SignIns(page.cookies[STAFF_COOKIE], api.json()["access_token"])


def works_on(client: TestClient, sign_ins: SignIns) -> tuple[bool, bool]:
    """(the cookie opens the polling station, the token reads /api/users/me) on `client`'s
    instance; the cookie goes as a browser would send it, in a client of its own."""
    page = browser(client.app)
    page.cookies.set(STAFF_COOKIE, sign_ins.cookie)
    station = page.get("/station")
    assert station.status_code == 200
    me = client.get("/api/users/me", headers=sign_ins.headers())
    assert me.status_code in (200, 401), me.text
    return 'name="password"' not in station.text, me.status_code == 200


@pytest.fixture
def two_instances(migrated_copy_url) -> Iterator[tuple[TestClient, TestClient, dict]]:
    """Two app instances (as two servers) on one database that commits for real, and an
    organizer's and a poll worker's accounts in it."""
    settings = settings_for(migrated_copy_url)
    engine = make_engine(migrated_copy_url)
    with make_session_factory(engine)() as session:
        people = {
            role: create_user(
                session=session,
                settings=settings,
                actor=Actor(role="system"),
                email=f"{role.value}@example.org",
                role=role,
                password=PASSWORD,
            )
            for role in (Role.organizer, Role.poll_worker)
        }
        session.commit()
    engine.dispose()
    apps = [create_app(settings_for(migrated_copy_url)) for _ in range(2)]
    with TestClient(apps[0]) as a, TestClient(apps[1]) as b:
        yield a, b, people
    for app in apps:
        app.state.engine.dispose()


def test_a_password_reset_on_one_instance_ends_the_sign_ins_on_another(two_instances):
    a, b, people = two_instances
    worker = people[Role.poll_worker]
    organizer = signed_in_from(a, people[Role.organizer].email)
    made_on_a = signed_in_from(a, worker.email)
    assert works_on(b, made_on_a) == (True, True)

    reset = a.post(f"/api/users/{worker.id}/password", json={}, headers=organizer.headers())
    assert reset.status_code == 200, reset.text

    assert works_on(b, made_on_a) == (False, False)  # at once, on the other instance
    assert works_on(a, made_on_a) == (False, False)
    refused = b.get("/api/users/me", headers=made_on_a.headers())
    assert "sign in again" in refused.json()["message"]
    new = signed_in_from(b, worker.email, reset.json()["password"])
    assert works_on(a, new) == (True, True)
    assert works_on(b, organizer) == (True, True)  # nobody else's sign-in ended


@pytest.mark.parametrize("how", ["page", "api"])
def test_reactivating_an_account_does_not_revive_its_old_sign_ins(
    client, app, organizer, make_staff, how
):
    worker = make_staff(Role.poll_worker)
    before = signed_in_from(client, worker.user.email, worker.password)
    assert works_on(client, before) == (True, True)
    staff_page = browser(app)
    sign_in(staff_page, organizer)

    def set_active(active: bool) -> None:
        if how == "page":
            sent = post(
                staff_page,
                f"/organize/staff/{worker.user.id}/active",
                {"active": "yes" if active else "no"},
            )
            assert sent.status_code == 303, sent.text
        else:
            patched = client.patch(
                f"/api/users/{worker.user.id}",
                json={"is_active": active},
                headers=organizer.headers,
            )
            assert patched.status_code == 200, patched.text

    set_active(False)
    assert works_on(client, before) == (False, False)
    set_active(True)
    assert works_on(client, before) == (False, False)  # ended for good, not paused
    after = signed_in_from(client, worker.user.email, worker.password)
    assert works_on(client, after) == (True, True)
    assert client.get("/api/users/me", headers=organizer.headers).status_code == 200


def test_resetting_ones_own_password_ends_ones_other_sign_ins_and_shows_it_here(
    client, app, organizer
):
    elsewhere = signed_in_from(client, organizer.user.email, organizer.password)
    here = browser(app)
    sign_in(here, organizer)
    sent = post(here, f"/organize/staff/{organizer.user.id}/password")
    assert sent.status_code == 303, sent.text
    shown = here.get(sent.headers["location"])  # this browser is signed in afresh
    assert shown.status_code == 200 and '<code class="password">' in shown.text
    assert works_on(client, elsewhere) == (False, False)
    assert here.get("/organize/staff").status_code == 200


def test_a_kiosk_on_one_instance_closes_when_its_worker_is_unassigned_on_another(
    two_instances, migrated_copy_url
):
    a, b, people = two_instances
    worker = people[Role.poll_worker]
    engine = make_engine(migrated_copy_url)
    world = build_world(make_session_factory(engine))
    engine.dispose()
    organizer = signed_in_from(a, people[Role.organizer].email)
    assign = f"/api/sites/{world.sites[0]}/poll-workers"
    assigned = a.post(assign, json={"user_id": worker.id}, headers=organizer.headers())
    assert assigned.status_code == 201, assigned.text
    staff = Staff(worker, PASSWORD, signed_in_from(a, worker.email).headers())
    kiosk = browser(b.app)
    open_kiosk(kiosk, staff, world.sites[0])  # the tablet is served by instance B
    first, second = (ticket_for(a, staff, world, name=name) for name in ("Ann A", "Bo B"))
    assert start(kiosk, first).headers["location"] == "/kiosk/ballot"

    gone = a.delete(f"{assign}/{worker.id}", headers=organizer.headers())
    assert gone.status_code == 204, gone.text

    cast = kiosk.post("/kiosk/cast", data=ranks(world), headers=ORIGIN, follow_redirects=False)
    assert cast.headers["location"] == "/kiosk"  # not /kiosk/done: no vote taken
    assert start(kiosk, second).headers["location"] != "/kiosk/ballot"
    assert translate("en", "kiosk.not_open") in kiosk.get("/kiosk").text
