"""Resetting a staff password (issue 20): an organizer, from the staff accounts page, for
anyone; the operator, with `pbvote users reset-password`, for the last organizer. Either
way the new password is told once, the old one and every sign-in made with it stop
working, and the audit log says who reset whose."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.audit import Actor, AuditEntry
from app.auth import STAFF_COOKIE
from app.db import make_engine, make_session_factory
from app.main import create_app
from app.users.models import Role
from app.users.service import create_user
from tests.conftest import TEST_SECRET, settings_for
from tests.helpers import answered
from tests.people.helpers import ORIGIN, browser, post, sign_in
from tests.test_cli_and_config import run

PASSWORD = "correct horse battery"


def shown_password(html: str) -> str:
    found = re.search(r'<code class="password">([^<]+)</code>', html)
    assert found, "no password shown"
    return found.group(1)


def signs_in(app, email: str, password: str) -> bool:
    r = browser(app).post(
        "/station/login",
        headers=ORIGIN,
        data={"email": email, "password": password},
        follow_redirects=False,
    )
    return STAFF_COOKIE in r.cookies


def cookie_opens(app, cookie: str, page: str) -> bool:
    copy = browser(app)
    copy.cookies.set(STAFF_COOKIE, cookie)
    opened = copy.get(page, follow_redirects=False)
    return opened.status_code == 200 and 'action="/station/login"' not in opened.text


def resets(session, user_id: int) -> list[AuditEntry]:
    return list(
        session.execute(
            select(AuditEntry).where(
                AuditEntry.action == "user.password_reset",
                AuditEntry.target == f"user:{user_id}",
                AuditEntry.outcome == "ok",
            )
        ).scalars()
    )


def test_an_organizer_resets_a_colleagues_password(app, client, organizer, make_staff, session):
    colleague = make_staff(Role.organizer)
    theirs = browser(app)
    sign_in(theirs, colleague)
    old_cookie = theirs.cookies[STAFF_COOKIE]
    assert cookie_opens(app, old_cookie, "/organize")

    sign_in(client, organizer)
    shown = answered(client, post(client, f"/organize/staff/{colleague.user.id}/password"))
    password = shown_password(shown.text)
    assert colleague.user.display_name in shown.text
    assert password not in client.get("/organize/staff", follow_redirects=True).text  # once

    assert signs_in(app, colleague.user.email, password)
    assert not signs_in(app, colleague.user.email, colleague.password)
    assert not cookie_opens(app, old_cookie, "/organize")  # their open sign-in has ended
    assert client.get("/organize").status_code == 200  # the organizer's own goes on
    (entry,) = resets(session, colleague.user.id)
    assert entry.actor_id == organizer.user.id


@pytest.mark.parametrize(
    ("role", "lands"), [(Role.delegate, "/delegate"), (Role.poll_worker, "/station")]
)
def test_only_an_organizer_may_reset_a_password(app, organizer, make_staff, session, role, lands):
    other = browser(app)
    sign_in(other, make_staff(role), lands)
    refused = post(other, f"/organize/staff/{organizer.user.id}/password")
    assert refused.status_code == 403
    assert "Only an organizer may" in refused.text and "you are signed in as" in refused.text
    assert signs_in(app, organizer.user.email, organizer.password)
    assert resets(session, organizer.user.id) == []


@pytest.fixture
def served(migrated_copy_url):
    """An app on a database that commits for real (the CLI is another process), with one
    organizer, the last, signed in on a browser."""
    settings = settings_for(migrated_copy_url)
    engine = make_engine(migrated_copy_url)
    factory = make_session_factory(engine)
    with factory() as session:
        user = create_user(
            session=session,
            settings=settings,
            actor=Actor(role="system"),
            email="only@example.org",
            role=Role.organizer,
            password=PASSWORD,
            display_name="Only Organizer",
        )
        session.commit()
        user_id = user.id
    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as client:
        sign_in(client, type("Staff", (), {"user": user, "password": PASSWORD}))
        yield migrated_copy_url, app, client, factory, user_id
    app.state.engine.dispose()
    engine.dispose()


def test_the_cli_resets_the_last_organizers_password(served):
    url, app, client, factory, user_id = served
    old_cookie = client.cookies[STAFF_COOKIE]
    made = run(url, "users", "reset-password", "Only@Example.org", secret=TEST_SECRET)
    assert made.returncode == 0, made.stderr
    password = made.stdout.split("new password (shown once): ")[1].strip()
    assert len(password) >= 16
    assert signs_in(app, "only@example.org", password)
    assert not signs_in(app, "only@example.org", PASSWORD)
    assert not cookie_opens(app, old_cookie, "/organize")

    chosen = run(
        url,
        "users",
        "reset-password",
        "only@example.org",
        "--choose",
        stdin="a password I chose\n",
        secret=TEST_SECRET,
    )
    assert chosen.returncode == 0, chosen.stderr
    assert "a password I chose" not in chosen.stdout and "shown once" not in chosen.stdout
    assert signs_in(app, "only@example.org", "a password I chose")
    assert not signs_in(app, "only@example.org", password)
    with factory() as session:
        entries = resets(session, user_id)
        assert [e.actor_role for e in entries] == ["system", "system"]

    for args, stdin, says in (
        (["nobody@example.org"], "", "no staff account for nobody@example.org"),
        (["only@example.org", "--choose"], "short\n", "at least 10"),
    ):
        refused = run(url, "users", "reset-password", *args, stdin=stdin, secret=TEST_SECRET)
        assert refused.returncode == 2 and says in refused.stderr, refused.stderr
    assert signs_in(app, "only@example.org", "a password I chose")
    assert run(url, "audit", "verify", secret=TEST_SECRET).returncode == 0
