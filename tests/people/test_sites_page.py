"""The organizers' sites page: events and voting sites with translated names and local
hours, edited under the API's phase rules, and the poll workers the station then uses."""

from datetime import UTC, datetime

from sqlalchemy import select

from app.sites.models import Site
from app.users.models import Role
from app.voting.models import PollWorkerSite
from tests.helpers import answered, count, form_token, refused_by
from tests.ideas.helpers import advance, create_process
from tests.people.helpers import browser, post, sign_in
from tests.voting.helpers import build_world, set_phase

VOTING_SITE = {
    "kind": "voting_site",
    "name": "Central Library",
    "name_es": "Biblioteca Central",
    "name_vi": "Thư viện Trung tâm",
    "address": "115 South Ave",
    "neighborhood": "Downtown",
    "opens_at": "2027-04-02T09:00",
    "closes_at": "2027-04-02T20:00",
}


def test_an_organizer_adds_and_edits_sites_in_local_time(client, organizer, session):
    pid = create_process(client, organizer, time_zone="America/New_York")["id"]
    sign_in(client, organizer)
    token = form_token()
    added = answered(
        client, post(client, f"/organize/processes/{pid}/sites", VOTING_SITE, token=token)
    )
    assert added.status_code == 200, added.text
    assert "Central Library" in added.text and "Biblioteca Central" in added.text
    # Back + Add again: the same form adds no second site.
    again = answered(
        client, post(client, f"/organize/processes/{pid}/sites", VOTING_SITE, token=token)
    )
    assert "sent already" in again.text
    assert count(session, Site, Site.process_id == pid) == 1
    event = post(
        client,
        f"/organize/processes/{pid}/sites",
        {"kind": "event_informal", "name": "Block party", "address": "Jay St"},
    )
    assert answered(client, event).status_code == 200
    site = session.execute(select(Site).where(Site.name == "Central Library")).scalar_one()
    # 20:00 in New York in April (EDT, UTC-4) is midnight UTC.
    assert site.closes_at == datetime(2027, 4, 3, 0, 0, tzinfo=UTC)
    assert site.translations == {
        "es": {"name": "Biblioteca Central"},
        "vi": {"name": "Thư viện Trung tâm"},
    }
    listed = client.get(f"/api/processes/{pid}/sites").json()
    assert listed[0]["translations"]["es"]["name"] == "Biblioteca Central"
    assert {s["formal"] for s in listed} == {False}

    form = client.get(f"/organize/processes/{pid}/sites/{site.id}")
    assert 'value="2027-04-02T20:00"' in form.text  # shown back in local time
    saved = post(
        client,
        f"/organize/processes/{pid}/sites/{site.id}",
        {**VOTING_SITE, "name": "Main Library", "name_es": "Biblioteca Principal"},
    )
    assert saved.headers["location"] == f"/organize/processes/{pid}/sites"
    saved = answered(client, saved)
    assert saved.status_code == 200 and "Main Library" in saved.text
    session.refresh(site)
    assert site.name == "Main Library" and site.translations["es"]["name"] == "Biblioteca Principal"


def test_bad_sites_change_nothing_and_are_audited(client, organizer, session):
    pid = create_process(client, organizer, time_zone="America/New_York")["id"]
    sign_in(client, organizer)
    before = count(session, Site)
    for bad in (
        {**VOTING_SITE, "name": ""},
        {**VOTING_SITE, "closes_at": "2027-04-02T08:00"},  # before it opens
        {**VOTING_SITE, "kind": "stadium"},
        {**VOTING_SITE, "opens_at": "tomorrow"},
        {**VOTING_SITE, "opens_at": "9999-12-31T23:59"},  # past the calendar's end in UTC
    ):
        r = answered(client, post(client, f"/organize/processes/{pid}/sites", bad), status=422)
        assert 'role="alert"' in r.text
        assert 'value="115 South Ave"' in r.text  # what was typed comes back
    assert count(session, Site) == before
    assert len(refused_by(session, organizer.user.id)) == 5
    spanish = post(client, f"/organize/processes/{pid}/sites?lang=es", {**VOTING_SITE, "name": ""})
    assert "Revise estos campos" in answered(client, spanish).text


def test_phase_rules_are_the_apis(client, organizer, session, session_factory):
    pid = create_process(client, organizer)["id"]
    sign_in(client, organizer)
    post(client, f"/organize/processes/{pid}/sites", VOTING_SITE)
    site = session.execute(select(Site).where(Site.process_id == pid)).scalar_one()
    advance(client, organizer, pid, "idea_collection")
    # The kind is fixed once the process leaves design.
    r = post(
        client,
        f"/organize/processes/{pid}/sites/{site.id}",
        {**VOTING_SITE, "kind": "event_formal"},
    )
    assert answered(client, r).status_code == 409
    session.refresh(site)
    assert site.kind == "voting_site"
    set_phase(session_factory, pid, "funding")
    late = post(client, f"/organize/processes/{pid}/sites", {**VOTING_SITE, "name": "Late"})
    assert answered(client, late).status_code == 409
    assert count(session, Site, Site.process_id == pid) == 1


def test_only_organizers_use_the_sites_page(client, app, organizer, make_staff, session):
    pid = create_process(client, organizer)["id"]
    for role, lands in ((Role.delegate, "/delegate"), (Role.poll_worker, "/station")):
        other = browser(app)
        sign_in(other, make_staff(role), lands)
        page = other.get(f"/organize/processes/{pid}/sites", follow_redirects=False)
        assert page.status_code == 403 and "Only an organizer may" in page.text
        r = post(other, f"/organize/processes/{pid}/sites", VOTING_SITE)
        assert r.status_code == 403
    sign_in(client, organizer)
    cross = client.post(f"/organize/processes/{pid}/sites", data=VOTING_SITE)  # no Origin
    assert cross.status_code == 403
    assert count(session, Site, Site.process_id == pid) == 0
    assert client.get("/organize/processes/999999/sites").status_code == 404
    other = create_process(client, organizer)["id"]
    post(client, f"/organize/processes/{other}/sites", VOTING_SITE)
    theirs = session.execute(select(Site.id).where(Site.process_id == other)).scalar_one()
    assert client.get(f"/organize/processes/{pid}/sites/{theirs}").status_code == 404
    stray = post(client, f"/organize/processes/{pid}/sites/{theirs}", VOTING_SITE)
    assert answered(client, stray).status_code == 404


def test_poll_workers_assigned_on_the_page_work_at_the_station(
    client, app, organizer, make_staff, session_factory, session
):
    world = build_world(session_factory)
    site_id = world.sites[0]
    with session_factory() as s:
        site = s.get(Site, site_id)
        site.translations = {"es": {"name": "Escuela Número 9"}}
        s.add(site)
        s.commit()
    worker = make_staff(Role.poll_worker)
    sign_in(client, organizer)
    url = f"/organize/processes/{world.process_id}/sites/{site_id}/poll-workers"
    page = client.get(f"/organize/processes/{world.process_id}/sites")
    assert f'<option value="{worker.user.id}">' in page.text
    assigned = answered(client, post(client, url, {"user_id": str(worker.user.id)}))
    assert assigned.status_code == 200 and "now works at" in assigned.text
    assert session.get(PollWorkerSite, (site_id, worker.user.id)) is not None

    station = browser(app)
    sign_in(station, worker, "/station")
    spanish = station.get("/station?lang=es")
    assert "Escuela Número 9" in spanish.text  # the site's name in the worker's language
    assert "Site 1" in station.get("/station?lang=en").text

    delegate = make_staff(Role.delegate)
    refused = post(client, url, {"user_id": str(delegate.user.id)})  # not a poll worker
    assert answered(client, refused).status_code == 422
    assert answered(client, post(client, url, {"user_id": "abc"})).status_code == 422
    off = answered(client, post(client, url, {"remove": str(worker.user.id)}))
    assert off.status_code == 200 and "no longer works at" in off.text
    unassigned = station.get("/station?lang=en")
    assert unassigned.status_code == 200 and "Polling station" in unassigned.text
    assert "Site 1" not in unassigned.text
    # The same form again (Back + send): off already, and it says so.
    again = answered(client, post(client, url, {"remove": str(worker.user.id)}))
    assert "taken off already" in again.text


def test_a_spanish_resident_reads_the_site_name_at_the_kiosk(
    client, organizer, make_staff, session_factory
):
    world = build_world(session_factory)
    set_phase(session_factory, world.process_id, "voting", languages=["en", "es", "vi"])
    site_id = world.sites[0]
    sign_in(client, organizer)
    form = {
        **VOTING_SITE,
        "name": "School 9",
        "name_es": "Escuela Número 9",
        "name_vi": "Trường số 9",
        "opens_at": "",
        "closes_at": "",
    }
    saved = post(client, f"/organize/processes/{world.process_id}/sites/{site_id}", form)
    assert answered(client, saved).status_code == 200
    # The organizer staffs the site and opens this device as its kiosk.
    post(
        client,
        f"/organize/processes/{world.process_id}/sites/{site_id}/poll-workers",
        {"user_id": str(organizer.user.id)},
    )
    opened = post(client, f"/station/sites/{site_id}/kiosk")
    assert opened.headers["location"] == "/kiosk", opened.text
    assert "Escuela Número 9" in client.get("/kiosk?lang=es").text
    assert "Trường số 9" in client.get("/kiosk?lang=vi").text
    assert "School 9" in client.get("/kiosk?lang=en").text
