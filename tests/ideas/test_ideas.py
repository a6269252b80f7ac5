from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.ideas.models import Idea, IdeaSubmissionCounter
from app.ideas.service import IDEAS_PER_ADDRESS_PER_HOUR
from app.users.models import Role
from tests.ideas.helpers import (
    add_site,
    advance,
    audited,
    create_process,
    force_phase,
    process_with_ideas,
    refusals,
    submit_idea,
)

CONTACT = {
    "contact_name": "Rosa Parks",
    "contact_email": "Rosa@Example.org",
    "contact_phone": "+1 (585) 555-0100",
}


def idea_count(session) -> int:
    session.expire_all()
    return session.execute(select(func.count()).select_from(Idea)).scalar_one()


def collecting(client, organizer) -> int:
    pid = create_process(client, organizer)["id"]
    advance(client, organizer, pid, "idea_collection")
    return pid


def test_anyone_shares_an_idea_online_contact_stays_private(client, organizer, make_staff):
    pid = collecting(client, organizer)
    idea = submit_idea(
        client,
        pid,
        title="Food recovery",
        description="Take food bound for landfill to community pantries.",
        category="Food",
        neighborhood="Marketview Heights",
        language="es",
        **CONTACT,
    )
    assert idea["channel"] == "online" and idea["status"] == "visible"
    assert idea["contact"] is None
    public = [
        client.get(f"/api/processes/{pid}/ideas"),
        client.get(f"/api/ideas/{idea['id']}"),
        client.get(f"/api/ideas/{idea['id']}", headers=make_staff(Role.delegate).headers),
    ]
    for answer in public:
        assert answer.status_code == 200 and "Food recovery" in answer.text
        assert "rosa" not in answer.text.lower() and "555-0100" not in answer.text
    seen = client.get(f"/api/ideas/{idea['id']}", headers=organizer.headers).json()
    assert seen["contact"] == {
        "name": "Rosa Parks",
        "email": "rosa@example.org",
        "phone": "+1 (585) 555-0100",
    }
    listed = client.get(f"/api/processes/{pid}/ideas", headers=organizer.headers).json()
    assert listed[0]["contact"]["email"] == "rosa@example.org"


def test_staff_type_in_paper_forms_with_the_event(client, organizer, make_staff):
    pid = collecting(client, organizer)
    event = add_site(client, organizer, pid, name="Informal: Public Market")
    worker = make_staff(Role.poll_worker)
    idea = submit_idea(client, pid, worker.headers, site_id=event["id"])
    assert idea["channel"] == "paper" and idea["site_id"] == event["id"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": ""}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"category": "x" * 101}, "category"),
        ({"language": "Spanish"}, "language"),
        ({"contact_email": "not an email"}, "contact_email"),
        ({"contact_phone": "call me maybe"}, "contact_phone"),
        ({"site_id": 0}, "site_id"),
        ({"votes": 3}, "votes"),
    ],
)
def test_bad_idea_refused_nothing_stored(client, organizer, session, change, field):
    pid = collecting(client, organizer)
    before = idea_count(session)
    body = {"title": "Benches", "description": "At bus stops", **change}
    r = client.post(f"/api/processes/{pid}/ideas", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert idea_count(session) == before


def test_site_must_be_an_event_of_this_process(client, organizer, session):
    pid = collecting(client, organizer)
    other = create_process(client, organizer, name="Other")["id"]
    foreign = add_site(client, organizer, other)
    booth = add_site(client, organizer, pid, kind="voting_site", name="Library")
    before = idea_count(session)
    for site_id, status, error in (
        (foreign["id"], 404, "not_found"),
        (999999, 404, "not_found"),
        (booth["id"], 422, "not_an_event"),
    ):
        body = {"title": "Benches", "description": "At bus stops", "site_id": site_id}
        r = client.post(f"/api/processes/{pid}/ideas", json=body, headers=organizer.headers)
        assert r.status_code == status, r.text
        assert r.json()["error"] == error and r.json()["field"] == "site_id"
    assert idea_count(session) == before


@pytest.mark.parametrize("phase", ["design", "proposal_development", "voting", "closed"])
def test_ideas_only_during_idea_collection(client, organizer, session, phase):
    pid = create_process(client, organizer)["id"]
    force_phase(session, pid, phase)
    before = idea_count(session)
    for headers in ({}, organizer.headers):
        r = client.post(
            f"/api/processes/{pid}/ideas",
            json={"title": "Benches", "description": "At bus stops"},
            headers=headers,
        )
        assert r.status_code == 409 and r.json()["error"] == "wrong_phase"
    assert idea_count(session) == before
    r = client.post("/api/processes/999999/ideas", json={"title": "a", "description": "b"})
    assert r.status_code == 404


def test_online_submissions_are_limited_per_address_staff_are_not(
    client, organizer, session, monkeypatch
):
    # One clock hour for the whole test, so no window boundary falls in the middle of it.
    now = datetime(2019, 3, 2, 15, 59, 30, tzinfo=UTC)
    monkeypatch.setattr("app.ideas.service.utcnow", lambda: now)
    pid = collecting(client, organizer)
    for n in range(IDEAS_PER_ADDRESS_PER_HOUR):
        submit_idea(client, pid, title=f"Idea {n}")
    before = idea_count(session)
    r = client.post(f"/api/processes/{pid}/ideas", json={"title": "One more", "description": "x"})
    assert r.status_code == 429, r.text
    assert r.json()["error"] == "too_many_ideas"
    assert r.headers["Retry-After"] == "31"
    assert idea_count(session) == before
    counter = session.execute(select(IdeaSubmissionCounter)).scalar_one()
    assert counter.submissions == IDEAS_PER_ADDRESS_PER_HOUR
    submit_idea(client, pid, organizer.headers, title="Typed in from paper")
    assert idea_count(session) == before + 1


def test_unknown_idea(client):
    assert client.get("/api/ideas/999999").status_code == 404
    assert client.get("/api/ideas/0").status_code == 422


def test_organizer_merges_a_duplicate(client, organizer, session):
    pid, (first, duplicate, _) = process_with_ideas(client, organizer)
    r = client.post(
        f"/api/ideas/{duplicate['id']}/merge",
        json={"into_idea_id": first["id"], "reason": "Same bus-stop benches"},
        headers=organizer.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "merged" and r.json()["merged_into_id"] == first["id"]
    assert r.json()["moderation_reason"] == "Same bus-stop benches"
    public = client.get(f"/api/ideas/{duplicate['id']}").json()
    assert public["merged_into_id"] == first["id"] and public["moderation_reason"] is None
    assert audited(session, "idea.merge", f"idea:{duplicate['id']}") == 1


def test_merge_refusals_are_clear_audited_and_change_nothing(
    client, organizer, make_staff, session
):
    pid, (a, b, c) = process_with_ideas(client, organizer)
    other_pid, (foreign,) = process_with_ideas(client, organizer, ideas=1, name="Other")
    hide = {"reason": "spam"}
    assert client.post(f"/api/ideas/{c['id']}/hide", json=hide, headers=organizer.headers)
    cases = [
        (a["id"], a["id"], 422, "merge_into_self"),
        (a["id"], foreign["id"], 404, "not_found"),
        (a["id"], 999999, 404, "not_found"),
        (a["id"], c["id"], 409, "target_hidden"),
        (c["id"], a["id"], 409, "idea_hidden"),
        (999999, a["id"], 404, "not_found"),
    ]
    for source, into, status, error in cases:
        before = refusals(session, "idea.merge", f"idea:{source}")
        r = client.post(
            f"/api/ideas/{source}/merge",
            json={"into_idea_id": into, "reason": "dup"},
            headers=organizer.headers,
        )
        assert r.status_code == status, (source, into, r.text)
        assert r.json()["error"] == error
        assert refusals(session, "idea.merge", f"idea:{source}") == before + 1
    session.expire_all()
    assert session.get(Idea, a["id"]).status == "visible"
    body = {"into_idea_id": a["id"], "reason": "dup"}
    delegate = make_staff(Role.delegate)
    assert client.post(f"/api/ideas/{b['id']}/merge", json=body).status_code == 401
    r = client.post(f"/api/ideas/{b['id']}/merge", json=body, headers=delegate.headers)
    assert r.status_code == 403
    r = client.post(
        f"/api/ideas/{b['id']}/merge", json={"into_idea_id": a["id"]}, headers=organizer.headers
    )
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = client.post(
        f"/api/ideas/{b['id']}/merge",
        json={"into_idea_id": a["id"], "reason": "x" * 2001},
        headers=organizer.headers,
    )
    assert r.status_code == 422
    client.post(f"/api/ideas/{b['id']}/merge", json=body, headers=organizer.headers)
    again = client.post(f"/api/ideas/{b['id']}/merge", json=body, headers=organizer.headers)
    assert again.status_code == 409 and again.json()["error"] == "idea_merged"
    assert "into idea" in again.json()["message"]


def test_hidden_idea_leaves_public_view(client, organizer, session):
    pid, (kept, abuse, _) = process_with_ideas(client, organizer)
    r = client.post(
        f"/api/ideas/{abuse['id']}/hide", json={"reason": "Abusive"}, headers=organizer.headers
    )
    assert r.status_code == 200 and r.json()["status"] == "hidden"
    assert client.get(f"/api/ideas/{abuse['id']}").status_code == 404
    public_ids = [i["id"] for i in client.get(f"/api/processes/{pid}/ideas").json()]
    assert abuse["id"] not in public_ids and kept["id"] in public_ids
    seen = client.get(f"/api/ideas/{abuse['id']}", headers=organizer.headers).json()
    assert seen["moderation_reason"] == "Abusive"
    assert audited(session, "idea.hide", f"idea:{abuse['id']}") == 1


@pytest.mark.parametrize(
    "phase, allowed",
    [("idea_collection", True), ("proposal_development", True), ("voting", False)],
)
def test_moderation_phases(client, organizer, session, phase, allowed):
    pid, (a, b, _) = process_with_ideas(client, organizer)
    force_phase(session, pid, phase)
    hide = client.post(
        f"/api/ideas/{a['id']}/hide", json={"reason": "x"}, headers=organizer.headers
    )
    merge = client.post(
        f"/api/ideas/{b['id']}/merge",
        json={"into_idea_id": a["id"] if not allowed else _third(client, pid, a, b), "reason": "x"},
        headers=organizer.headers,
    )
    if allowed:
        assert hide.status_code == 200 and merge.status_code == 200, merge.text
    else:
        assert hide.status_code == 409 and merge.status_code == 409
        assert refusals(session, "idea.hide", f"idea:{a['id']}") == 1
        assert refusals(session, "idea.merge", f"idea:{b['id']}") == 1
        session.expire_all()
        assert session.get(Idea, a["id"]).status == "visible"


def _third(client, pid, a, b) -> int:
    ids = [i["id"] for i in client.get(f"/api/processes/{pid}/ideas").json()]
    return next(i for i in ids if i not in (a["id"], b["id"]))


def test_old_submission_windows_are_dropped(client, organizer, session):
    pid = collecting(client, organizer)
    session.add(
        IdeaSubmissionCounter(
            client_address="203.0.113.9",
            window_start=datetime(2019, 3, 2, 15, tzinfo=UTC),
            submissions=20,
        )
    )
    session.commit()
    submit_idea(client, pid)
    session.expire_all()
    rows = session.execute(select(IdeaSubmissionCounter)).scalars().all()
    assert [(r.client_address, r.submissions) for r in rows] == [("testclient", 1)]
