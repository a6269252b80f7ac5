"""A new process is a draft, for staff only, until an organizer publishes it (issue 20):
its residents' pages are not there (404) for residents, signed-in staff preview them with
a banner. Past cycles (archived or closed) are listed on their own page with their results."""

from app.db import utcnow
from app.users.models import Role
from app.web.i18n import translate
from tests.helpers import PROCESS, assert_error, audit_actions
from tests.test_organize_page import ORIGIN, sign_in
from tests.voting.helpers import make_process

RESIDENT_PAGES = ("", "/ideas", "/ideas/new", "/proposals", "/results", "/receipt", "/vote")


def test_a_draft_is_for_staff_only_until_an_organizer_publishes_it(client, organizer, session):
    r = client.post("/api/processes", json=PROCESS, headers=organizer.headers)
    assert r.status_code == 201 and r.json()["published_at"] is None
    pid = r.json()["id"]
    # Residents: not on the home page, not in the API, and no page of it.
    assert PROCESS["name"] not in client.get("/").text
    assert client.get("/api/processes").json() == []
    assert_error(client.get(f"/api/processes/{pid}"), 404, "not_found")
    for path in RESIDENT_PAGES:
        assert client.get(f"/processes/{pid}{path}").status_code == 404, path
    # Staff: the API lists it; signed in, the pages are a preview with a banner.
    assert [p["id"] for p in client.get("/api/processes", headers=organizer.headers).json()] == [
        pid
    ]
    sign_in(client, organizer)
    preview = client.get(f"/processes/{pid}?lang=es")
    assert preview.status_code == 200 and 'id="draft-preview"' in preview.text
    assert translate("es", "draft.preview") in preview.text
    assert 'class="draft-mark"' in client.get("/organize").text
    overview = client.get(f"/organize/processes/{pid}").text
    assert translate("es", "setup.draft") in overview
    # An organizer publishes it (audited); sent again, it says so and changes nothing.
    sent = client.post(f"/organize/processes/{pid}/publish", headers=ORIGIN, follow_redirects=False)
    assert sent.status_code == 303
    assert translate("es", "setup.published") in client.get(sent.headers["location"]).text
    again = client.post(
        f"/organize/processes/{pid}/publish", headers=ORIGIN, follow_redirects=False
    )
    said = client.get(again.headers["location"]).text
    assert translate("es", "setup.published_already") in said
    assert audit_actions(session).count(("process.publish", "ok")) == 1
    assert 'class="draft-mark"' not in client.get("/organize").text
    assert_error(
        client.post(f"/api/processes/{pid}/publish", headers=organizer.headers),
        409,
        "already_published",
    )
    client.cookies.clear()
    assert PROCESS["name"] in client.get("/").text
    page = client.get(f"/processes/{pid}")
    assert page.status_code == 200 and 'id="draft-preview"' not in page.text


def test_only_an_organizer_publishes_a_process(client, organizer, make_staff):
    pid = client.post("/api/processes", json=PROCESS, headers=organizer.headers).json()["id"]
    delegate = make_staff(Role.delegate)
    assert_error(client.post(f"/api/processes/{pid}/publish", headers=delegate.headers), 403)
    assert_error(client.post(f"/api/processes/{pid}/publish"), 401)


def test_past_cycles_lists_archived_and_closed_processes(client, session):
    closed = make_process(session, phase="closed", name="Eastside PB 2025")
    archived = make_process(session, phase="funding", name="Westside PB 2024")
    archived.archived_at = utcnow()
    current = make_process(session, phase="voting", name="Eastside PB 2027")
    draft = make_process(session, phase="closed", name="Unpublished PB")
    draft.published_at = None
    session.add_all([archived, draft])
    session.commit()
    assert 'href="/past"' in client.get("/").text
    for lang in ("en", "es", "vi"):
        page = client.get(f"/past?lang={lang}")
        assert page.status_code == 200
        assert translate(lang, "past.title") in page.text
        for shown in (closed, archived):
            assert shown.name in page.text
            assert f'href="/processes/{shown.id}/results"' in page.text
        assert current.name not in page.text and draft.name not in page.text
