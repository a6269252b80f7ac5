from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.sites.models import Site
from app.users.models import Role
from tests.ideas.helpers import add_site, create_process, force_phase, refusals


def site_count(session) -> int:
    session.expire_all()
    return session.execute(select(func.count()).select_from(Site)).scalar_one()


def test_organizer_adds_events_and_voting_sites_listed_publicly(client, organizer):
    process = create_process(client, organizer)
    pid = process["id"]
    event = add_site(
        client,
        organizer,
        pid,
        name="Community kickoff",
        formal=True,
        neighborhood="EMMA",
        opens_at="2019-03-02T15:00:00Z",
        closes_at="2019-03-02T18:00:00Z",
    )
    assert event["kind"] == "event" and event["formal"] is True
    assert event["opens_at"].startswith("2019-03-02T15:00:00")
    library = add_site(client, organizer, pid, name="Central Library", kind="voting_site")
    assert library["formal"] is False

    everything = client.get(f"/api/processes/{pid}/sites")
    assert everything.status_code == 200
    assert [s["id"] for s in everything.json()] == [event["id"], library["id"]]
    voting = client.get(f"/api/processes/{pid}/sites", params={"kind": "voting_site"}).json()
    assert [s["name"] for s in voting] == ["Central Library"]
    events = client.get(f"/api/processes/{pid}/sites?kind=event").json()
    assert [s["name"] for s in events] == ["Community kickoff"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "party"}, "kind"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"address": ""}, "address"),
        ({"address": "x" * 501}, "address"),
        ({"formal": "yes"}, "formal"),
        ({"kind": "voting_site", "formal": True}, None),
        ({"opens_at": "2019-03-02T18:00:00Z", "closes_at": "2019-03-02T15:00:00Z"}, None),
        ({"opens_at": "2019-03-02T18:00:00"}, "opens_at"),
        ({"capacity": 40}, "capacity"),
    ],
)
def test_bad_site_is_refused_and_nothing_stored(client, organizer, session, change, field):
    pid = create_process(client, organizer)["id"]
    before = site_count(session)
    body = {"name": "Kickoff", "kind": "event", "address": "115 South Ave", **change}
    r = client.post(f"/api/processes/{pid}/sites", json=body, headers=organizer.headers)
    assert r.status_code == 422, r.text
    if field:
        assert r.json()["field"] == field
    assert site_count(session) == before


def test_only_organizers_add_sites(client, organizer, make_staff, session):
    pid = create_process(client, organizer)["id"]
    body = {"name": "Kickoff", "kind": "event", "address": "115 South Ave"}
    anonymous = client.post(f"/api/processes/{pid}/sites", json=body)
    assert anonymous.status_code == 401
    delegate = make_staff(Role.delegate)
    r = client.post(f"/api/processes/{pid}/sites", json=body, headers=delegate.headers)
    assert r.status_code == 403
    assert site_count(session) == 0


def test_unknown_process(client, organizer):
    body = {"name": "Kickoff", "kind": "event", "address": "115 South Ave"}
    r = client.post("/api/processes/999999/sites", json=body, headers=organizer.headers)
    assert r.status_code == 404 and r.json()["field"] == "process_id"
    assert client.get("/api/processes/999999/sites").status_code == 404
    assert client.get("/api/processes/1/sites?kind=party").status_code == 422


@pytest.mark.parametrize(
    "phase, event_ok, voting_site_ok",
    [
        ("idea_collection", True, True),
        ("proposal_development", True, True),
        ("voting", True, True),
        ("funding", True, False),
        ("closed", False, False),
    ],
)
def test_sites_by_phase(client, organizer, session, phase, event_ok, voting_site_ok):
    pid = create_process(client, organizer)["id"]
    force_phase(session, pid, phase)
    for kind, ok in (("event", event_ok), ("voting_site", voting_site_ok)):
        before = site_count(session)
        body = {"name": f"A {kind}", "kind": kind, "address": "1 Main St"}
        r = client.post(f"/api/processes/{pid}/sites", json=body, headers=organizer.headers)
        if ok:
            assert r.status_code == 201, r.text
            assert site_count(session) == before + 1
        else:
            assert r.status_code == 409, r.text
            assert r.json()["error"] == "wrong_phase"
            assert site_count(session) == before
    if not voting_site_ok:
        assert refusals(session, "site.create", f"process:{pid}") >= 1


def test_site_times_are_utc(client, organizer):
    pid = create_process(client, organizer)["id"]
    site = add_site(client, organizer, pid, opens_at="2019-03-02T10:00:00-05:00")
    opens = datetime.fromisoformat(site["opens_at"])
    assert opens == datetime(2019, 3, 2, 15, tzinfo=UTC)
