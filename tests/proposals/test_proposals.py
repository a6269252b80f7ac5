import pytest
from sqlalchemy import func, select

from app.proposals.models import Proposal, ProposalIdea
from app.users.models import Role
from tests.ideas.helpers import audited, force_phase, refusals
from tests.proposals.helpers import approve, create_proposal, developing, proposal_body

EQUITY = {
    "goal": "Less food wasted, fuller pantries.",
    "stakeholders": "Grocers, pantries, drivers; monthly meetings.",
    "benefits": "Families using pantries in the city's poorest neighborhoods.",
    "burdens": "None identified; volunteers' time.",
    "equity_impact": "Improves access to fresh food where it is scarcest.",
    "needs": "A refrigerated van.",
}


def proposal_rows(session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.execute(select(func.count()).select_from(Proposal)).scalar_one(),
        session.execute(select(func.count()).select_from(ProposalIdea)).scalar_one(),
    )


def test_delegate_writes_a_proposal_with_translations_and_equity(client, organizer, make_staff):
    pid, ideas = developing(client, organizer)
    delegate = make_staff(Role.delegate)
    proposal = create_proposal(
        client,
        delegate,
        pid,
        [ideas[1], ideas[0]],
        location="Public Market",
        category="Food",
        translations={
            "es": {"title": "Recuperación de alimentos", "summary": "Comida a despensas."},
            "vi": {"title": "Thu hồi thực phẩm", "summary": "Thực phẩm cho kho thực phẩm."},
        },
        equity_assessment=EQUITY,
    )
    assert proposal["status"] == "draft" and proposal["ballot_number"] is None
    assert proposal["idea_ids"] == sorted(ideas[:2])
    assert proposal["equity_assessment"] == EQUITY
    assert proposal["translations"]["es"]["title"] == "Recuperación de alimentos"
    assert proposal["created_by_id"] == delegate.user.id
    got = client.get(f"/api/proposals/{proposal['id']}", headers=organizer.headers).json()
    assert got == proposal
    organizers_own = create_proposal(client, organizer, pid, [ideas[2]])
    staff_list = client.get(f"/api/processes/{pid}/proposals", headers=delegate.headers).json()
    assert [p["id"] for p in staff_list] == [proposal["id"], organizers_own["id"]]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"cost_cents": 0}, "cost_cents"),
        ({"cost_cents": -500}, "cost_cents"),
        ({"cost_cents": 12.5}, "cost_cents"),
        ({"cost_cents": 1000.0}, "cost_cents"),
        ({"cost_cents": "1000"}, "cost_cents"),
        ({"cost_cents": True}, "cost_cents"),
        ({"cost_cents": 10**13}, "cost_cents"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"summary": ""}, "summary"),
        ({"summary": "x" * 10_001}, "summary"),
        ({"location": "x" * 301}, "location"),
        ({"idea_ids": []}, "idea_ids"),
        ({"idea_ids": [1, 1]}, "idea_ids"),
        ({"translations": {"es": {"title": "Hola"}}}, "translations.es.summary"),
        ({"equity_assessment": {"goal": "x", "mood": "good"}}, "equity_assessment.mood"),
        ({"equity_assessment": {"goal": "x" * 5001}}, "equity_assessment.goal"),
        ({"status": "approved"}, "status"),
    ],
)
def test_bad_proposal_refused_nothing_stored(client, organizer, session, change, field):
    pid, ideas = developing(client, organizer, ideas=1)
    body = proposal_body(ideas, **change)
    r = client.post(f"/api/processes/{pid}/proposals", json=body, headers=organizer.headers)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert proposal_rows(session) == (0, 0)


def test_ideas_and_languages_must_fit_the_process(client, organizer, session):
    pid, ideas = developing(client, organizer, ideas=2)
    other, foreign = developing(client, organizer, ideas=1, name="Other")
    client.post(f"/api/ideas/{ideas[1]}/hide", json={"reason": "x"}, headers=organizer.headers)
    cases = [
        ({"idea_ids": [ideas[0], foreign[0]]}, "idea_ids.1", "unknown_idea"),
        ({"idea_ids": [999999]}, "idea_ids.0", "unknown_idea"),
        ({"idea_ids": [ideas[1]]}, "idea_ids.0", "idea_hidden"),
        (
            {"translations": {"fr": {"title": "a", "summary": "b"}}},
            "translations.fr",
            "unknown_language",
        ),
        (
            {"translations": {"en": {"title": "a", "summary": "b"}}},
            "translations.en",
            "translation_of_primary",
        ),
    ]
    for change, field, error in cases:
        body = proposal_body([ideas[0]], **change)
        r = client.post(f"/api/processes/{pid}/proposals", json=body, headers=organizer.headers)
        assert r.status_code == 422, r.text
        assert (r.json()["field"], r.json()["error"]) == (field, error)
    assert proposal_rows(session) == (0, 0)
    body = proposal_body([ideas[0]])
    assert (
        client.post(
            "/api/processes/999999/proposals", json=body, headers=organizer.headers
        ).status_code
        == 404
    )


def test_roles_for_writing(client, organizer, make_staff, session):
    pid, ideas = developing(client, organizer, ideas=1)
    body = proposal_body(ideas)
    url = f"/api/processes/{pid}/proposals"
    assert client.post(url, json=body).status_code == 401
    assert (
        client.post(url, json=body, headers=make_staff(Role.poll_worker).headers).status_code == 403
    )
    assert proposal_rows(session) == (0, 0)


@pytest.mark.parametrize("phase", ["design", "idea_collection", "voting", "funding"])
def test_proposals_written_only_in_proposal_development(client, organizer, session, phase):
    pid, ideas = developing(client, organizer, ideas=1)
    force_phase(session, pid, phase)
    r = client.post(
        f"/api/processes/{pid}/proposals", json=proposal_body(ideas), headers=organizer.headers
    )
    assert r.status_code == 409
    assert r.json()["error"] == (
        "ballot_frozen" if phase in ("voting", "funding") else "wrong_phase"
    )
    assert proposal_rows(session) == (0, 0)


def test_edit_a_draft_and_a_returned_proposal(client, organizer, make_staff, session):
    pid, ideas = developing(client, organizer)
    delegate = make_staff(Role.delegate)
    proposal = create_proposal(client, delegate, pid, [ideas[0]], category="Food")
    url = f"/api/proposals/{proposal['id']}"
    r = client.patch(
        url,
        json={
            "cost_cents": 35_000_00,
            "idea_ids": [ideas[1], ideas[2]],
            "category": None,
            "equity_assessment": {"goal": "Feed people"},
            "translations": {"es": {"title": "Comida", "summary": "Comida para todos"}},
        },
        headers=delegate.headers,
    )
    assert r.status_code == 200, r.text
    edited = r.json()
    assert edited["cost_cents"] == 35_000_00 and edited["category"] is None
    assert edited["idea_ids"] == [ideas[1], ideas[2]]
    assert edited["equity_assessment"]["goal"] == "Feed people"
    assert edited["title"] == "Food recovery"
    assert proposal_rows(session) == (1, 2)
    for bad, field in (({"cost_cents": 0}, "cost_cents"), ({"title": None}, "title")):
        r = client.patch(url, json=bad, headers=delegate.headers)
        assert r.status_code == 422 and r.json()["field"] == field
    r = client.post(
        f"{url}/return", json={"reason": "Get a second quote"}, headers=organizer.headers
    )
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert r.json()["return_reason"] == "Get a second quote"
    r = client.patch(url, json={"cost_cents": 38_000_00}, headers=delegate.headers)
    assert r.json()["status"] == "draft" and r.json()["cost_cents"] == 38_000_00
    assert (
        client.patch("/api/proposals/999999", json={}, headers=delegate.headers).status_code == 404
    )


def test_approval_numbers_are_stable_and_fill_gaps(client, organizer, make_staff, session):
    pid, ideas = developing(client, organizer, ideas=1)
    ids = [create_proposal(client, organizer, pid, ideas, title=f"P{n}")["id"] for n in range(4)]
    assert [approve(client, organizer, i)["ballot_number"] for i in ids[:3]] == [1, 2, 3]
    r = client.post(
        f"/api/proposals/{ids[1]}/return",
        json={"reason": "Costs unclear"},
        headers=organizer.headers,
    )
    assert r.json()["ballot_number"] is None
    assert approve(client, organizer, ids[3])["ballot_number"] == 2
    assert approve(client, organizer, ids[1])["ballot_number"] == 4
    numbers = {
        p["id"]: p["ballot_number"]
        for p in client.get(f"/api/processes/{pid}/proposals", headers=organizer.headers).json()
    }
    assert numbers == {ids[0]: 1, ids[1]: 4, ids[2]: 3, ids[3]: 2}
    assert audited(session, "proposal.approve", f"proposal:{ids[1]}") == 2
    assert audited(session, "proposal.return", f"proposal:{ids[1]}") == 1


def test_approval_refusals_audited(client, organizer, make_staff, session):
    pid, ideas = developing(client, organizer, ideas=1)
    proposal = create_proposal(client, organizer, pid, ideas)
    pid_url = f"/api/proposals/{proposal['id']}"
    target = f"proposal:{proposal['id']}"
    delegate = make_staff(Role.delegate)
    assert client.post(f"{pid_url}/approve", headers=delegate.headers).status_code == 403
    assert client.post(f"{pid_url}/approve").status_code == 401
    approve(client, organizer, proposal["id"])
    again = client.post(f"{pid_url}/approve", headers=organizer.headers)
    assert again.status_code == 409 and again.json()["error"] == "already_approved"
    assert "number 1" in again.json()["message"]
    assert refusals(session, "proposal.approve", target) == 1
    edit = client.patch(pid_url, json={"cost_cents": 1}, headers=delegate.headers)
    assert edit.status_code == 409 and edit.json()["error"] == "proposal_approved"
    unknown = client.post("/api/proposals/999999/approve", headers=organizer.headers)
    assert unknown.status_code == 404
    assert refusals(session, "proposal.approve", "proposal:999999") == 1
    no_reason = client.post(f"{pid_url}/return", json={}, headers=organizer.headers)
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    client.post(f"{pid_url}/return", json={"reason": "x"}, headers=organizer.headers)
    twice = client.post(f"{pid_url}/return", json={"reason": "x"}, headers=organizer.headers)
    assert twice.status_code == 409 and twice.json()["error"] == "already_returned"
    assert refusals(session, "proposal.return", target) == 1


@pytest.mark.parametrize("phase", ["idea_collection", "voting", "funding", "closed"])
def test_approve_and_return_only_in_proposal_development(client, organizer, session, phase):
    pid, ideas = developing(client, organizer, ideas=1)
    draft = create_proposal(client, organizer, pid, ideas)
    approved = approve(client, organizer, create_proposal(client, organizer, pid, ideas)["id"])
    force_phase(session, pid, phase)
    r = client.post(f"/api/proposals/{draft['id']}/approve", headers=organizer.headers)
    assert r.status_code == 409
    r = client.post(
        f"/api/proposals/{approved['id']}/return", json={"reason": "x"}, headers=organizer.headers
    )
    assert r.status_code == 409
    assert refusals(session, "proposal.approve", f"proposal:{draft['id']}") == 1
    assert refusals(session, "proposal.return", f"proposal:{approved['id']}") == 1
    session.expire_all()
    assert session.get(Proposal, draft["id"]).status == "draft"
    assert session.get(Proposal, approved["id"]).ballot_number == 1


def test_voting_needs_a_full_ballot_then_the_ballot_is_frozen(client, organizer, session):
    pid, ideas = developing(client, organizer, ideas=1)
    ids = [
        create_proposal(client, organizer, pid, ideas, title=f"P{n}", cost_cents=(n + 1) * 1000)[
            "id"
        ]
        for n in range(6)
    ]
    for proposal_id in ids[:3]:
        approve(client, organizer, proposal_id)
    url = f"/api/processes/{pid}/transitions"
    r = client.post(url, json={"to": "voting", "reason": "go"}, headers=organizer.headers)
    assert r.status_code == 409
    assert "3 proposals are on the ballot; at least 5 are needed" in r.json()["message"]
    assert client.get(f"/api/processes/{pid}").json()["phase"] == "proposal_development"
    for proposal_id in ids[3:5]:
        approve(client, organizer, proposal_id)
    r = client.post(url, json={"to": "voting", "reason": "go"}, headers=organizer.headers)
    assert r.status_code == 201, r.text
    before = client.get(f"/api/processes/{pid}/ballot").json()
    attempts = [
        client.post(f"/api/proposals/{ids[5]}/approve", headers=organizer.headers),
        client.post(
            f"/api/proposals/{ids[0]}/return", json={"reason": "x"}, headers=organizer.headers
        ),
        client.patch(f"/api/proposals/{ids[0]}", json={"cost_cents": 1}, headers=organizer.headers),
        client.patch(f"/api/proposals/{ids[5]}", json={"cost_cents": 1}, headers=organizer.headers),
        client.post(
            f"/api/processes/{pid}/proposals", json=proposal_body(ideas), headers=organizer.headers
        ),
    ]
    for r in attempts:
        assert r.status_code == 409, r.text
        assert r.json()["error"] == "ballot_frozen"
        assert "fixed once voting opens" in r.json()["message"]
    assert client.get(f"/api/processes/{pid}/ballot").json() == before
    assert refusals(session, "proposal.update", f"proposal:{ids[0]}") == 1


def test_guard_names_a_single_proposal(client, organizer):
    pid, ideas = developing(client, organizer, ideas=1, ballot_size=2)
    approve(client, organizer, create_proposal(client, organizer, pid, ideas)["id"])
    r = client.post(
        f"/api/processes/{pid}/transitions",
        json={"to": "voting", "reason": "go"},
        headers=organizer.headers,
    )
    assert r.status_code == 409
    assert "1 proposal is on the ballot; at least 2 are needed" in r.json()["message"]


def test_public_sees_approved_proposals_once_voting_opens(client, organizer, make_staff, session):
    pid, ideas = developing(client, organizer, ideas=1, ballot_size=1)
    draft = create_proposal(client, organizer, pid, ideas, title="Draft")
    on_ballot = approve(client, organizer, create_proposal(client, organizer, pid, ideas)["id"])
    assert client.get(f"/api/processes/{pid}/proposals").json() == []
    assert client.get(f"/api/proposals/{on_ballot['id']}").status_code == 404
    assert client.get(f"/api/processes/{pid}/ballot").status_code == 403
    worker = make_staff(Role.poll_worker)
    assert client.get(f"/api/processes/{pid}/ballot", headers=worker.headers).status_code == 200
    force_phase(session, pid, "voting")
    assert [p["id"] for p in client.get(f"/api/processes/{pid}/proposals").json()] == [
        on_ballot["id"]
    ]
    assert client.get(f"/api/proposals/{on_ballot['id']}").status_code == 200
    assert client.get(f"/api/proposals/{draft['id']}").status_code == 404
    assert client.get("/api/processes/999999/proposals").status_code == 404
    assert client.get("/api/processes/999999/ballot").status_code == 404


def test_translation_language_keys_are_bounded(client, organizer, session):
    pid, ideas = developing(client, organizer, ideas=1)
    body = proposal_body(ideas, translations={"x" * 100: {"title": "a", "summary": "b"}})
    r = client.post(f"/api/processes/{pid}/proposals", json=body, headers=organizer.headers)
    assert r.status_code == 422
    assert proposal_rows(session) == (0, 0)
