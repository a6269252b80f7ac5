"""The first-run setup page (issue 20): on a database without any staff account the server
says a one-time address; it makes the first organizer, signs them in, and then answers
410. Two setups at once, on two app instances, make one organizer."""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from app.audit import AuditEntry
from app.auth import STAFF_COOKIE
from app.db import make_engine, make_session_factory
from app.errors import Gone
from app.main import create_app
from app.security import first_run_token
from app.users import service
from app.users.models import FirstRun, Role, User
from tests.conftest import SERVER_SECRET, TEST_SECRET, demo_copy, drop_database, settings_for
from tests.helpers import HANG_SECONDS, answered, count
from tests.people.helpers import ORIGIN, browser, sign_out

SETUP = f"/setup/{first_run_token(TEST_SECRET)}"
FIRST = {
    "display_name": "Rosa Díaz",
    "email": "Rosa@Example.org",
    "password": "a long first password",
    "password_again": "a long first password",
}


def set_up(client, data=None, path=SETUP, origin=ORIGIN):
    return client.post(path, headers=origin, data=data or FIRST, follow_redirects=False)


def test_the_first_organizer_is_made_once_and_signed_in(app, client, session):
    page = client.get(SETUP)
    assert page.status_code == 200 and 'name="password_again"' in page.text
    assert page.headers["cache-control"] == "no-store"
    made = set_up(client)
    assert made.status_code == 303 and made.headers["location"] == "/organize"
    assert STAFF_COOKIE in client.cookies
    home = client.get("/organize")
    assert home.status_code == 200 and "Welcome, Rosa Díaz" in home.text
    assert "Rosa Díaz" in home.text.split("</header>")[0]  # signed in, named in the header

    user = session.execute(select(User)).scalar_one()
    assert (user.email, user.role) == ("rosa@example.org", Role.organizer.value)
    assert session.get(FirstRun, 1).organizer_id == user.id
    entry = session.execute(
        select(AuditEntry).where(AuditEntry.action == "user.first_run")
    ).scalar_one()
    assert entry.actor_id == user.id and entry.target == f"user:{user.id}"

    # The address is used up: it says so (410), to anyone, and makes nobody else.
    for who in (client, browser(app)):
        gone = who.get(SETUP)
        assert gone.status_code == 410 and "was used already" in gone.text
        assert 'name="password"' not in gone.text
    again = answered(client, set_up(client, {**FIRST, "email": "other@example.org"}), status=410)
    assert "was used already" in again.text
    assert count(session, User) == 1
    # Signing out and in again works with the password chosen on the page.
    sign_out(client, "/organize")
    signed = browser(app).post(
        "/station/login",
        headers=ORIGIN,
        data={"email": "rosa@example.org", "password": FIRST["password"]},
        follow_redirects=False,
    )
    assert signed.headers["location"] == "/organize"


def test_a_wrong_token_is_no_page(client, session):
    for path in (f"/setup/{'0' * 40}", "/setup/x", SETUP + "x"):
        assert client.get(path).status_code == 404
        assert set_up(client, path=path).status_code == 404
    # Sent from another site, it makes nothing either.
    assert set_up(client, origin={"Origin": "https://evil.example"}).status_code == 403
    assert count(session, User) == 0 and client.get(SETUP).status_code == 200


@pytest.mark.parametrize(
    ("bad", "field", "says"),
    [
        ({"password_again": "another long password"}, "password_again", "differ"),
        ({"password": "short", "password_again": "short"}, "password", "at least 10"),
        ({"email": "not an email"}, "email", "enter an email address"),
        ({"display_name": "  "}, "display_name", "Your name"),
    ],
)
def test_a_refused_setup_names_its_field_and_makes_nothing(client, session, bad, field, says):
    page = answered(client, set_up(client, {**FIRST, **bad}), status=422)
    summary = page.text.split('id="error-summary"')[1].split("</div>")[0]
    assert f'href="#{field}"' in summary and says in summary
    assert 'aria-invalid="true"' in page.text
    assert "a long first password" not in page.text  # a password never comes back
    if field != "email":
        assert 'value="Rosa@Example.org"' in page.text  # what was typed stays
    assert count(session, User) == 0 and count(session, FirstRun) == 0
    assert client.get(SETUP).status_code == 200  # still open


def test_the_page_speaks_spanish_and_vietnamese(client):
    assert "Configurar pbvote" in client.get(SETUP + "?lang=es").text
    assert "Thiết lập pbvote" in client.get(SETUP + "?lang=vi").text


def test_an_account_made_with_the_cli_closes_the_page(client, make_staff):
    make_staff(Role.delegate)
    assert client.get(SETUP).status_code == 410


@pytest.fixture
def empty_database(migrated_copy_url):
    """A database of its own that commits for real, with no account yet."""
    yield migrated_copy_url


def test_the_server_says_the_address_while_no_account_exists(empty_database, caplog):
    settings = settings_for(empty_database).model_copy(
        update={"public_url": "https://vote.example.org"}
    )
    with caplog.at_level(logging.WARNING, logger="pbvote"):
        app = create_app(settings)
        with TestClient(app):
            pass
    said = [r.getMessage() for r in caplog.records if "one-time setup address" in r.message]
    assert said and f"https://vote.example.org{SETUP}" in said[0]
    with TestClient(app) as client:
        assert set_up(client).status_code == 303
    caplog.clear()
    with TestClient(app):  # the next start says nothing
        pass
    assert not [r for r in caplog.records if "one-time setup address" in r.getMessage()]
    app.state.engine.dispose()


def test_two_setups_at_once_on_two_instances_make_one_organizer(empty_database):
    apps = [create_app(settings_for(empty_database)) for _ in range(2)]
    start = threading.Barrier(2)

    def send(n: int):
        with TestClient(apps[n], base_url="http://testserver") as client:
            start.wait()
            sent = set_up(client, {**FIRST, "email": f"first{n}@example.org"})
            return sent.headers["location"], client.get(sent.headers["location"]).status_code

    with ThreadPoolExecutor(2) as pool:
        answers = sorted(pool.map(send, range(2)))
    assert answers == [("/organize", 200), (SETUP, 410)]
    with make_session_factory(apps[0].state.engine)() as session:
        assert count(session, User) == 1 and count(session, FirstRun) == 1
    for app in apps:
        app.state.engine.dispose()


def test_a_second_setup_waits_for_the_first_and_is_refused(empty_database, backend):
    """PostgreSQL: the second transaction's insert of the setup row waits on the first's,
    which has seen no account either; once the first commits, the second is refused."""
    if backend != "postgresql":
        pytest.skip("SQLite lets one writer at a time in: the pages' test covers it")
    settings = settings_for(empty_database)
    engine = make_engine(empty_database)
    factory = make_session_factory(engine)
    first = factory()
    service.create_first_organizer(
        session=first, settings=settings, email="a@example.org", display_name="A", password="x" * 12
    )

    def second():
        with factory() as session:
            try:
                service.create_first_organizer(
                    session=session,
                    settings=settings,
                    email="b@example.org",
                    display_name="B",
                    password="y" * 12,
                )
            except Gone:
                return "refused"
            session.commit()
            return "made"

    pool = ThreadPoolExecutor(1)
    try:
        waiting = pool.submit(second)
        deadline = time.monotonic() + HANG_SECONDS  # however slow the machine: readiness
        with engine.connect() as watch:
            while True:  # until the second transaction waits on the first's lock
                blocked = watch.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        " AND datname = current_database()"
                    )
                ).scalar_one()
                if blocked or waiting.done():
                    break
                assert time.monotonic() < deadline, "the second setup neither waited nor ended"
                time.sleep(0.01)
        assert blocked and not waiting.done()
        first.commit()
        assert waiting.result(timeout=HANG_SECONDS) == "refused"
    finally:
        first.close()  # never leave the second waiting on an open transaction
        pool.shutdown(wait=True)
    with factory() as session:
        assert session.execute(select(func.count()).select_from(User)).scalar_one() == 1
    engine.dispose()


def test_the_demo_has_no_setup_page(backend, tmp_path):
    demo = demo_copy(backend, tmp_path)
    try:
        settings = settings_for(demo.url).model_copy(update={"secret_key": SERVER_SECRET})
        app = create_app(settings)
        with TestClient(app) as client:
            assert client.get(f"/setup/{first_run_token(SERVER_SECRET)}").status_code == 410
        with make_session_factory(app.state.engine)() as session:
            assert service.first_run_notice(session=session, settings=settings, base="") is None
        app.state.engine.dispose()
    finally:
        drop_database(demo.url)
