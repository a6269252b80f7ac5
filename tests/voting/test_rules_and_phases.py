"""Voting rules, access-code batches, and the phase guards through the real endpoint."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db import utcnow
from app.users.models import Role
from app.voting.models import AccessCode, AccessCodeBatch, Ballot, VotingRules
from tests.voting.helpers import audit_entries, build_world, counts, set_phase
from tests.voting.test_casting import cast


@pytest.fixture
def design_world(session_factory):
    return build_world(session_factory, phase="design")


def rules_url(world):
    return f"/api/processes/{world.process_id}/voting-rules"


def test_rules_default_to_codes_and_are_set_in_design(client, organizer, design_world):
    r = client.get(rules_url(design_world), headers=organizer.headers)
    assert r.status_code == 200
    assert r.json() == {
        "process_id": design_world.process_id,
        "credential": "code",
        "min_age": None,
        "postal_codes": [],
    }
    body = {"credential": "both", "min_age": 16, "postal_codes": ["14 604", "14605", "14604"]}
    r = client.put(rules_url(design_world), json=body, headers=organizer.headers)
    assert r.status_code == 200, r.text
    assert r.json()["postal_codes"] == ["14604", "14605"]
    assert (
        client.get(rules_url(design_world), headers=organizer.headers).json()["credential"]
        == "both"
    )


@pytest.mark.parametrize(
    "body",
    [
        {"credential": "password"},
        {"min_age": -1},
        {"min_age": 131},
        {"min_age": "16"},
        {"postal_codes": [""]},
        {"postal_codes": "14604"},
        {"extra": 1},
    ],
)
def test_bad_rules_are_422(client, organizer, design_world, session_factory, body):
    r = client.put(rules_url(design_world), json=body, headers=organizer.headers)
    assert r.status_code == 422
    with session_factory() as s:
        assert s.get(VotingRules, design_world.process_id) is None


@pytest.mark.parametrize("phase", ["idea_collection", "voting", "funding"])
def test_rules_are_frozen_after_design(client, organizer, design_world, session_factory, phase):
    client.put(rules_url(design_world), json={"min_age": 16}, headers=organizer.headers)
    set_phase(session_factory, design_world.process_id, phase)
    r = client.put(rules_url(design_world), json={"min_age": 12}, headers=organizer.headers)
    assert r.status_code == 409 and r.json()["error"] == "rules_frozen"
    with session_factory() as s:
        assert s.get(VotingRules, design_world.process_id).min_age == 16
    assert audit_entries(session_factory, "voting.rules")[-1].outcome == "refused"


def test_only_organizers_see_or_set_rules(client, make_staff, design_world):
    worker = make_staff(Role.poll_worker)
    assert client.get(rules_url(design_world), headers=worker.headers).status_code == 403
    assert client.put(rules_url(design_world), json={}, headers=worker.headers).status_code == 403
    assert client.get(rules_url(design_world)).status_code == 401
    assert (
        client.get("/api/processes/999999/voting-rules", headers=make_staff().headers).status_code
        == 404
    )


def test_codes_come_once_as_json_or_printable_csv(client, organizer, world, session_factory):
    url = f"/api/processes/{world.process_id}/access-codes"
    r = client.post(url, json={"count": 25, "label": "ward 1"}, headers=organizer.headers)
    assert r.status_code == 201
    codes = r.json()["codes"]
    assert len(set(codes)) == 25 and r.json()["label"] == "ward 1"
    r = client.post(
        url,
        json={"count": 3, "label": "ward 2"},
        headers={**organizer.headers, "Accept": "text/csv"},
    )
    assert r.status_code == 201 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["batch", "number", "access_code"] and len(rows) == 4
    assert (
        cast(client, world.process_id, {"access_code": rows[1][2]}, world.proposals[:1]).status_code
        == 201
    )
    with session_factory() as s:
        assert s.execute(select(func.count()).select_from(AccessCode)).scalar_one() == 28


@pytest.mark.parametrize(
    "body",
    [
        {"count": 0, "label": "x"},
        {"count": 10_001, "label": "x"},
        {"count": "5", "label": "x"},
        {"count": 5},
        {"count": 5, "label": ""},
    ],
)
def test_bad_code_requests_are_422(client, organizer, world, session_factory, body):
    r = client.post(
        f"/api/processes/{world.process_id}/access-codes", json=body, headers=organizer.headers
    )
    assert r.status_code == 422
    with session_factory() as s:
        assert s.execute(select(func.count()).select_from(AccessCodeBatch)).scalar_one() == 0


def test_code_batches_refused_when_label_taken_phase_over_or_not_organizer(
    client, organizer, make_staff, world, session_factory
):
    url = f"/api/processes/{world.process_id}/access-codes"
    assert (
        client.post(url, json={"count": 2, "label": "a"}, headers=organizer.headers).status_code
        == 201
    )
    r = client.post(url, json={"count": 2, "label": "a"}, headers=organizer.headers)
    assert r.status_code == 409 and r.json()["error"] == "label_taken"
    r = client.post(
        url, json={"count": 2, "label": "b"}, headers=make_staff(Role.poll_worker).headers
    )
    assert r.status_code == 403
    set_phase(session_factory, world.process_id, "funding")
    r = client.post(url, json={"count": 2, "label": "c"}, headers=organizer.headers)
    assert r.status_code == 409
    with session_factory() as s:
        assert s.execute(select(func.count()).select_from(AccessCode)).scalar_one() == 2


def test_void_refusals(client, organizer, world, codes):
    url = f"/api/processes/{world.process_id}/access-codes/void"
    (code,) = codes(1)
    assert client.post(url, json={}, headers=organizer.headers).status_code == 422
    assert (
        client.post(url, json={"label": "a", "batch_id": 1}, headers=organizer.headers).status_code
        == 422
    )
    assert client.post(url, json={"label": "nope"}, headers=organizer.headers).status_code == 404
    assert client.post(url, json={"batch_id": 999999}, headers=organizer.headers).status_code == 404
    from app.voting.credentials import new_access_code

    r = client.post(url, json={"code": new_access_code()}, headers=organizer.headers)
    assert r.status_code == 404
    assert client.post(url, json={"code": code}, headers=organizer.headers).json() == {"voided": 1}
    assert client.post(url, json={"code": code}, headers=organizer.headers).status_code == 404


def transition(client, organizer, world, to):
    return client.post(
        f"/api/processes/{world.process_id}/transitions",
        json={"to": to, "reason": "test"},
        headers=organizer.headers,
    )


def test_voting_cannot_open_on_an_empty_ballot(client, organizer, session_factory):
    world = build_world(session_factory, phase="proposal_development", n_proposals=0)
    r = transition(client, organizer, world, "voting")
    assert r.status_code == 409
    # The ballot guard lives with the proposals: it names the shortfall.
    assert any("0 proposals are on the ballot" in p for p in r.json()["problems"])
    ready = build_world(session_factory, phase="proposal_development", n_proposals=5)
    assert transition(client, organizer, ready, "voting").status_code == 201


def test_funding_waits_for_the_window_and_then_no_ballot_is_accepted(
    client, organizer, world, codes, session_factory
):
    first, second = codes(2)
    set_phase(
        session_factory, world.process_id, "voting", voting_closes_at=utcnow() + timedelta(hours=1)
    )
    assert (
        cast(client, world.process_id, {"access_code": first}, world.proposals[:3]).status_code
        == 201
    )
    r = transition(client, organizer, world, "funding")
    assert r.status_code == 409 and r.json()["error"] == "transition_refused"
    set_phase(session_factory, world.process_id, "voting", voting_closes_at=None)
    with session_factory() as s:
        ballots_before = sorted(
            (b.id, tuple(b.ranking)) for b in s.execute(select(Ballot)).scalars()
        )
    assert transition(client, organizer, world, "funding").status_code == 201
    with session_factory() as s:
        ballots_after = sorted(
            (b.id, tuple(b.ranking)) for b in s.execute(select(Ballot)).scalars()
        )
    assert ballots_after == ballots_before  # resealed on PostgreSQL, unchanged in content
    before = counts(session_factory)
    r = cast(client, world.process_id, {"access_code": second}, world.proposals[:1])
    assert r.status_code == 409 and r.json()["error"] == "wrong_phase"
    assert counts(session_factory) == before
