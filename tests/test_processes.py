from datetime import timedelta

import pytest

from app.db import utcnow
from app.processes.models import Process
from app.users.models import Role
from tests.helpers import PROCESS, assert_error, audit_actions, count


def create(client, headers, **changes):
    return client.post("/api/processes", headers=headers, json={**PROCESS, **changes})


def set_phase(session, process_id, phase):
    process = session.get(Process, process_id)
    process.phase = phase
    session.add(process)
    session.commit()


def test_organizer_creates_a_process_in_design(client, organizer, session):
    r = create(client, organizer.headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["phase"] == "design" and isinstance(body["id"], int)
    assert body["budget_cents"] == 150_000_00 and body["ballot_size"] == 5
    assert body["count_method"] == "borda" and body["tie_break"] == "seeded"
    assert body["tie_break_seed"] is None
    assert ("process.create", "ok") in audit_actions(session)
    # A new process is a draft: staff only, until an organizer publishes it.
    assert body["published_at"] is None
    assert client.get(f"/api/processes/{body['id']}").status_code == 404
    published = client.post(f"/api/processes/{body['id']}/publish", headers=organizer.headers)
    assert published.status_code == 200 and published.json()["published_at"]
    # Public reads need no login.
    assert client.get(f"/api/processes/{body['id']}").json()["name"] == PROCESS["name"]
    assert [p["id"] for p in client.get("/api/processes").json()] == [body["id"]]


def test_defaults(client, organizer):
    r = client.post(
        "/api/processes", headers=organizer.headers, json={"name": "Minimal", "budget_cents": 100}
    )
    assert r.status_code == 201, r.text
    assert r.json()["ballot_size"] == 5 and r.json()["languages"] == ["en", "es", "vi"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"budget_cents": 150000.5}, "budget_cents"),
        ({"budget_cents": "150000"}, "budget_cents"),
        ({"budget_cents": 0}, "budget_cents"),
        ({"budget_cents": -5}, "budget_cents"),
        ({"ballot_size": 0}, "ballot_size"),
        ({"ballot_size": 11}, "ballot_size"),
        ({"languages": []}, "languages"),
        ({"languages": ["english"]}, "languages"),
        ({"languages": ["en", "en"]}, "languages"),
        ({"currency": "usd"}, "currency"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"voting_opens_at": "2027-05-01T00:00:00"}, "voting_opens_at"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_process_input_is_refused_and_stores_nothing(
    client, organizer, session, changes, field
):
    body = assert_error(create(client, organizer.headers, **changes), 422, "invalid")
    assert body["field"] == field
    assert count(session, Process) == 0


def test_voting_window_must_be_in_order(client, organizer, session):
    start = utcnow() + timedelta(days=30)
    r = create(
        client,
        organizer.headers,
        voting_opens_at=start.isoformat(),
        voting_closes_at=(start - timedelta(days=1)).isoformat(),
    )
    body = assert_error(r, 422)
    assert "voting_closes_at must be after voting_opens_at" in body["message"]
    assert count(session, Process) == 0


def test_malformed_json_is_a_clear_422(client, organizer):
    r = client.post(
        "/api/processes",
        headers={**organizer.headers, "Content-Type": "application/json"},
        content=b'{"name": ',
    )
    body = assert_error(r, 422, "invalid")
    assert "not valid JSON" in body["message"]


@pytest.mark.parametrize("role", [Role.delegate, Role.poll_worker])
def test_only_organizers_create_processes(client, make_staff, session, role):
    assert_error(create(client, make_staff(role).headers), 403)
    assert_error(create(client, {}), 401)
    assert count(session, Process) == 0


def test_unknown_process_is_404(client):
    assert_error(client.get("/api/processes/999999"), 404, "not_found")
    assert_error(client.get("/api/processes/0"), 422)
    assert_error(client.get("/api/processes/abc"), 422)
    assert_error(client.get("/api/processes/99999999999999999999"), 422)


def test_rules_change_in_design(client, organizer):
    pid = create(client, organizer.headers).json()["id"]
    r = client.patch(
        f"/api/processes/{pid}",
        headers=organizer.headers,
        json={"budget_cents": 200_000_00, "ballot_size": 4, "count_method": "mes"},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["budget_cents"], r.json()["ballot_size"], r.json()["count_method"]) == (
        200_000_00,
        4,
        "mes",
    )


@pytest.mark.parametrize("phase", ["idea_collection", "proposal_development", "voting", "funding"])
@pytest.mark.parametrize(
    "field,value",
    [("budget_cents", 1), ("ballot_size", 3), ("languages", ["en"]), ("count_method", "irv")],
)
def test_rules_are_frozen_after_design(client, organizer, session, phase, field, value):
    pid = create(client, organizer.headers).json()["id"]
    set_phase(session, pid, phase)
    before = client.get(f"/api/processes/{pid}").json()
    body = assert_error(
        client.patch(f"/api/processes/{pid}", headers=organizer.headers, json={field: value}),
        409,
        "rules_frozen",
    )
    assert body["field"] == field
    assert client.get(f"/api/processes/{pid}").json() == before
    assert ("process.update", "refused") in audit_actions(session)


def test_name_and_description_stay_editable_until_closed(client, organizer, session):
    pid = create(client, organizer.headers).json()["id"]
    set_phase(session, pid, "voting")
    r = client.patch(
        f"/api/processes/{pid}",
        headers=organizer.headers,
        json={"description": "Updated explanation."},
    )
    assert r.status_code == 200 and r.json()["description"] == "Updated explanation."
    set_phase(session, pid, "closed")
    assert_error(
        client.patch(f"/api/processes/{pid}", headers=organizer.headers, json={"name": "New"}),
        409,
        "process_closed",
    )


def test_window_moves_until_voting_opens(client, organizer, session):
    pid = create(client, organizer.headers).json()["id"]
    set_phase(session, pid, "proposal_development")
    opens = utcnow() + timedelta(days=10)
    window = {
        "voting_opens_at": opens.isoformat(),
        "voting_closes_at": (opens + timedelta(days=21)).isoformat(),
    }
    assert (
        client.patch(f"/api/processes/{pid}", headers=organizer.headers, json=window).status_code
        == 200
    )
    set_phase(session, pid, "voting")
    assert_error(
        client.patch(
            f"/api/processes/{pid}",
            headers=organizer.headers,
            json={"voting_closes_at": (opens + timedelta(days=40)).isoformat()},
        ),
        409,
        "rules_frozen",
    )


def test_patch_cannot_put_the_window_out_of_order(client, organizer):
    opens = utcnow() + timedelta(days=10)
    pid = create(client, organizer.headers, voting_opens_at=opens.isoformat()).json()["id"]
    r = client.patch(
        f"/api/processes/{pid}",
        headers=organizer.headers,
        json={"voting_closes_at": (opens - timedelta(days=1)).isoformat()},
    )
    assert_error(r, 409, "invalid_window")


def test_only_organizers_patch(client, make_staff, organizer):
    pid = create(client, organizer.headers).json()["id"]
    assert_error(
        client.patch(
            f"/api/processes/{pid}", headers=make_staff(Role.delegate).headers, json={"name": "x"}
        ),
        403,
    )
    assert_error(client.patch(f"/api/processes/{pid}", json={"name": "x"}), 401)
