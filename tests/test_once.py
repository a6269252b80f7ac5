"""The pages' post-redirect-get (app/web/flash.py) and one-time forms (app/web/form_token.py):
a secret is sealed and shown once, each page reads its own flash, an old or forged form
changes nothing, and one form sent at once to several app instances makes one thing."""

import json
import threading

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app import migrate
from app.audit import Actor
from app.db import make_engine, make_session_factory, open_session
from app.ideas.models import Idea
from app.main import create_app
from app.processes import service as processes
from app.processes.phases import Phase
from app.processes.schemas import ProcessCreate
from app.security import serializer
from app.users.models import Role
from app.users.service import create_user
from app.web.models import FormUse, SealedFlash
from tests.conftest import TEST_SECRET, settings_for
from tests.helpers import HANG_SECONDS, answered, form_token
from tests.people.helpers import post, sign_in

ORIGIN = {"Origin": "http://testserver"}


def _cookie_text(response) -> str:
    """What the flash cookie of an answer says: its payload, unsigned."""
    raw = next(c for c in response.headers.get_list("set-cookie") if c.startswith("pbvote_flash="))
    token = raw.split("=", 1)[1].split(";", 1)[0]
    return json.dumps(serializer(TEST_SECRET, "flash").loads(token), ensure_ascii=False)


def test_a_new_password_is_sealed_never_in_a_cookie_or_address_and_shown_once(
    client, organizer, make_staff, session
):
    worker = make_staff(Role.poll_worker)
    sign_in(client, organizer)
    sent = post(client, f"/organize/staff/{worker.user.id}/password")
    shown = answered(client, sent)
    password = shown.text.split('<code class="password">', 1)[1].split("<", 1)[0]
    assert len(password) >= 10
    assert password not in sent.headers["location"] and password not in _cookie_text(sent)
    stored = session.execute(select(SealedFlash.sealed)).scalars().all()
    assert stored and all(password.encode() not in sealed for sealed in stored)
    cleared = [c for c in shown.headers.get_list("set-cookie") if c.startswith("pbvote_flash=")]
    assert cleared and "Max-Age=0" in cleared[0]  # the GET that showed it clears it
    assert password not in client.get(sent.headers["location"]).text  # reload
    assert password not in client.get("/organize/staff").text


def test_each_page_says_its_own_flash(client, organizer, session_factory):
    sign_in(client, organizer)
    pid = client.post(
        "/api/processes",
        json={"name": "Flash PB", "budget_cents": 100_00, "languages": ["en"]},
        headers=organizer.headers,
    ).json()["id"]
    # Two answers before either page is seen: one flash for the overview, one for its
    # sites page (whose address the overview's cookie path covers too).
    archived = post(
        client, f"/organize/processes/{pid}/archive", {"archived": "1", "reason": "Done."}
    )
    added = post(
        client,
        f"/organize/processes/{pid}/sites",
        {"kind": "event_informal", "name": "Kickoff", "address": "2 Main St"},
    )
    assert archived.status_code == added.status_code == 303
    sites = client.get(added.headers["location"])
    assert "Kickoff was added" in sites.text and "archived" not in sites.text
    overview = client.get(f"/organize/processes/{pid}")
    assert "The process is archived." in overview.text and "was added" not in overview.text


def test_an_old_or_forged_form_changes_nothing_and_says_why(client, organizer, session):
    pid = client.post(
        "/api/processes",
        json={"name": "Old forms", "budget_cents": 100_00, "languages": ["en"]},
        headers=organizer.headers,
    ).json()["id"]
    client.post(
        f"/api/processes/{pid}/transitions",
        json={"to": "idea_collection", "reason": "r"},
        headers=organizer.headers,
    )
    client.post(f"/api/processes/{pid}/publish", headers=organizer.headers)  # residents see it
    old = serializer(TEST_SECRET, "form-instance").dumps({"n": "abc", "t": 1_000_000_000})
    forged = form_token()[:-3] + "xyz"
    for token in (old, forged, ""):
        r = client.post(
            f"/processes/{pid}/ideas/new",
            data={"title": "Benches", "description": "At the stops.", "form_token": token},
            follow_redirects=False,
        )
        page = answered(client, r, status=409)
        assert "out of date" in page.text
    assert session.execute(select(func.count()).select_from(Idea)).scalar_one() == 0
    assert session.execute(select(func.count()).select_from(FormUse)).scalar_one() == 0


def test_one_form_sent_at_once_to_several_app_instances_shares_one_idea(fresh_database_url):
    migrate.upgrade(fresh_database_url)
    factory = make_session_factory(make_engine(fresh_database_url))
    with open_session(factory, write=True) as session:
        user = create_user(
            session=session,
            settings=settings_for(fresh_database_url),
            actor=Actor(role="system"),
            email="org@example.org",
            role=Role.organizer,
            password="correct horse battery",
        )
        actor = Actor(role=user.role, user_id=user.id)
        process = processes.create_process(
            session=session,
            actor=actor,
            data=ProcessCreate(name="Twice", budget_cents=100_00, languages=["en"]),
        )
        processes.transition(
            session=session,
            actor=actor,
            process_id=process.id,
            to=Phase.idea_collection,
            reason="r",
        )
        processes.publish_process(session=session, actor=actor, process_id=process.id)
        session.commit()
    # Four app instances (as four server processes), each sent the same form at once.
    apps = [create_app(settings_for(fresh_database_url)) for _ in range(4)]
    form = {"title": "Benches", "description": "At the stops.", "form_token": form_token()}
    start = threading.Barrier(len(apps))
    landed: list[str] = []

    def share(app) -> None:
        with TestClient(app, base_url="http://testserver") as browser:
            start.wait()
            page = browser.post(f"/processes/{process.id}/ideas/new", data=form)
            landed.append(f"{page.status_code} {'shared already' in page.text}")

    threads = [threading.Thread(target=share, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=HANG_SECONDS)
    assert sorted(landed) == ["200 False", "200 True", "200 True", "200 True"]
    with factory() as session:
        assert session.execute(select(func.count()).select_from(Idea)).scalar_one() == 1
    for app in apps:
        app.state.engine.dispose()
    factory.kw["bind"].dispose()
