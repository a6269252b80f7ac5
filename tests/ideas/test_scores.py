from fractions import Fraction

import pytest
from sqlalchemy import func, select

from app.ideas.models import CriterionScore, DelegateScore
from app.ideas.ranking import IdeaScores, rank_ideas, rounded, rounded_sqrt
from app.users.models import Role
from tests.ideas.helpers import (
    advance,
    audited,
    create_process,
    criteria_ids,
    force_phase,
    submit_idea,
)


def score_rows(session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.execute(select(func.count()).select_from(DelegateScore)).scalar_one(),
        session.execute(select(func.count()).select_from(CriterionScore)).scalar_one(),
    )


@pytest.fixture
def scoring(client, organizer, make_staff):
    """A process in proposal_development with two criteria (weights 3 and 1) and 4 ideas."""
    pid = create_process(client, organizer)["id"]
    need, feasibility, *_ = client.get(f"/api/processes/{pid}/criteria").json()
    body = {
        "criteria": [
            {"id": need["id"], "name": "Need", "weight": 3},
            {"id": feasibility["id"], "name": "Feasibility", "weight": 1},
        ]
    }
    r = client.put(f"/api/processes/{pid}/criteria", json=body, headers=organizer.headers)
    assert r.status_code == 200, r.text
    advance(client, organizer, pid, "idea_collection")
    ideas = [
        submit_idea(client, pid, organizer.headers, title=t)["id"]
        for t in ("A", "B", "C", "D", "Hidden", "Merged")
    ]
    advance(client, organizer, pid, "proposal_development")
    delegates = [make_staff(Role.delegate) for _ in range(3)]
    return pid, criteria_ids(client, pid), ideas, delegates


def score(client, delegate, criteria, idea_id, need, feasibility, comment=None):
    body = {"scores": {str(criteria[0]): need, str(criteria[1]): feasibility}}
    if comment is not None:
        body["comment"] = comment
    r = client.put(f"/api/ideas/{idea_id}/scores/me", json=body, headers=delegate.headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_delegate_scores_and_a_second_put_replaces(client, scoring, session):
    pid, criteria, ideas, (d1, *_) = scoring
    first = score(client, d1, criteria, ideas[0], 5, 3, comment="Urgent")
    assert first["weighted_score_exact"] == "9/2" and first["weighted_score"] == 4.5
    assert first["comment"] == "Urgent"
    assert score_rows(session) == (1, 2)
    second = score(client, d1, criteria, ideas[0], 2, 2)
    assert second["scores"] == {str(criteria[0]): 2, str(criteria[1]): 2}
    assert second["comment"] is None
    assert score_rows(session) == (1, 2)
    url = f"/api/ideas/{ideas[0]}/scores/me"
    body = {"scores": {str(criteria[0]): 1, str(criteria[1]): 1}}
    assert client.post(url, json=body, headers=d1.headers).status_code == 405
    assert score_rows(session) == (1, 2)
    mine = client.get(url, headers=d1.headers).json()
    assert mine["weighted_score_exact"] == "2"
    assert audited(session, "idea.score", f"idea:{ideas[0]}") == 2


@pytest.mark.parametrize(
    "values, field, error",
    [
        ((0, 3), "scores.{need}", "invalid"),
        ((6, 3), "scores.{need}", "invalid"),
        ((4.5, 3), "scores.{need}", "invalid"),
        (("4", 3), "scores.{need}", "invalid"),
        ((True, 3), "scores.{need}", "invalid"),
        ((None, 3), "scores.{need}", "invalid"),
    ],
)
def test_scores_outside_1_to_5_refused(client, scoring, session, values, field, error):
    pid, criteria, ideas, (d1, *_) = scoring
    body = {"scores": {str(criteria[0]): values[0], str(criteria[1]): values[1]}}
    r = client.put(f"/api/ideas/{ideas[0]}/scores/me", json=body, headers=d1.headers)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field.format(need=criteria[0])
    assert score_rows(session) == (0, 0)


def test_criteria_must_be_this_process_s_each_exactly_once(client, organizer, scoring, session):
    pid, criteria, ideas, (d1, *_) = scoring
    other = create_process(client, organizer, name="Other")["id"]
    foreign = criteria_ids(client, other)[0]
    url = f"/api/ideas/{ideas[0]}/scores/me"
    cases = [
        ({str(criteria[0]): 4}, "scores", "criteria_missing"),
        ({str(criteria[0]): 4, str(criteria[1]): 4, str(foreign): 4}, f"scores.{foreign}", None),
        ({str(criteria[0]): 4, "999999": 4}, "scores.999999", "unknown_criterion"),
        ({str(criteria[0]): 4, "need": 4}, "scores", "invalid"),
        ({}, "scores", "invalid"),
    ]
    for scores, field, error in cases:
        r = client.put(url, json={"scores": scores}, headers=d1.headers)
        assert r.status_code == 422, r.text
        assert r.json()["field"] == field
        if error:
            assert r.json()["error"] == error
    r = client.put(
        url,
        json={"scores": {str(criteria[0]): 4, str(criteria[1]): 4}, "comment": "x" * 2001},
        headers=d1.headers,
    )
    assert r.status_code == 422 and r.json()["field"] == "comment"
    assert score_rows(session) == (0, 0)


def test_only_delegates_score(client, scoring, organizer, make_staff, session):
    pid, criteria, ideas, _ = scoring
    body = {"scores": {str(criteria[0]): 4, str(criteria[1]): 4}}
    url = f"/api/ideas/{ideas[0]}/scores/me"
    assert client.put(url, json=body).status_code == 401
    assert client.put(url, json=body, headers=organizer.headers).status_code == 403
    worker = make_staff(Role.poll_worker)
    assert client.put(url, json=body, headers=worker.headers).status_code == 403
    assert score_rows(session) == (0, 0)


def test_scoring_unknown_hidden_or_merged_ideas(client, scoring, organizer, session):
    pid, criteria, ideas, (d1, *_) = scoring
    body = {"scores": {str(criteria[0]): 4, str(criteria[1]): 4}}
    client.post(f"/api/ideas/{ideas[4]}/hide", json={"reason": "x"}, headers=organizer.headers)
    client.post(
        f"/api/ideas/{ideas[5]}/merge",
        json={"into_idea_id": ideas[0], "reason": "dup"},
        headers=organizer.headers,
    )
    assert (
        client.put("/api/ideas/999999/scores/me", json=body, headers=d1.headers).status_code == 404
    )
    hidden = client.put(f"/api/ideas/{ideas[4]}/scores/me", json=body, headers=d1.headers)
    assert hidden.status_code == 404
    merged = client.put(f"/api/ideas/{ideas[5]}/scores/me", json=body, headers=d1.headers)
    assert merged.status_code == 409 and merged.json()["error"] == "idea_merged"
    unscored = client.get(f"/api/ideas/{ideas[1]}/scores/me", headers=d1.headers)
    assert unscored.status_code == 404 and unscored.json()["error"] == "not_scored"
    assert score_rows(session) == (0, 0)


@pytest.mark.parametrize("phase", ["idea_collection", "voting", "funding"])
def test_scoring_only_in_proposal_development(client, scoring, session, phase):
    pid, criteria, ideas, (d1, *_) = scoring
    force_phase(session, pid, phase)
    body = {"scores": {str(criteria[0]): 4, str(criteria[1]): 4}}
    r = client.put(f"/api/ideas/{ideas[0]}/scores/me", json=body, headers=d1.headers)
    assert r.status_code == 409 and r.json()["error"] == "wrong_phase"
    assert score_rows(session) == (0, 0)


def test_ranking_on_a_hand_computed_example(client, scoring, organizer, make_staff):
    """Weights: need 3, feasibility 1, so a delegate's score is (3·need + feasibility) / 4.

    A: d1 (5,3) -> 18/4, d2 (4,4) -> 16/4; mean 17/4 = 4.25; spread 1/4 = 0.25
       per criterion: need 9/2, feasibility 7/2
    B: d1 (4,5) -> 17/4, d2 (5,1) -> 16/4, d3 (4,5) -> 17/4; mean 25/6 = 4.167;
       variance ((1/12)² + (1/6)² + (1/12)²)/3 = 1/72, spread sqrt(1/72) = 0.118
    C: d3 (4,5) -> 17/4; mean 17/4, a true tie with A, so after A (higher id); spread 0
    D: unscored, last. Hidden and Merged: scored but excluded.
    """
    pid, criteria, ideas, (d1, d2, d3) = scoring
    a, b, c, d, hidden, merged = ideas
    for delegate, idea, need, feasibility in [
        (d1, a, 5, 3),
        (d2, a, 4, 4),
        (d1, b, 4, 5),
        (d2, b, 5, 1),
        (d3, b, 4, 5),
        (d3, c, 4, 5),
        (d1, hidden, 5, 5),
        (d1, merged, 5, 5),
    ]:
        score(client, delegate, criteria, idea, need, feasibility)
    client.post(f"/api/ideas/{hidden}/hide", json={"reason": "x"}, headers=organizer.headers)
    client.post(
        f"/api/ideas/{merged}/merge",
        json={"into_idea_id": d, "reason": "dup"},
        headers=organizer.headers,
    )
    r = client.get(f"/api/processes/{pid}/ideas/ranking", headers=d1.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert "population standard deviation" in body["definition"]
    assert [c["weight"] for c in body["criteria"]] == [3, 1]
    rows = body["ideas"]
    assert [row["idea_id"] for row in rows] == [a, c, b, d]
    assert [row["rank"] for row in rows] == [1, 2, 3, None]
    assert [row["weighted_mean_exact"] for row in rows] == ["17/4", "17/4", "25/6", None]
    assert [row["weighted_mean"] for row in rows] == [4.25, 4.25, 4.167, None]
    assert [row["spread"] for row in rows] == [0.25, 0.0, 0.118, None]
    assert [row["delegates"] for row in rows] == [2, 1, 3, 0]
    assert [(m["name"], m["mean"]) for m in rows[0]["criterion_means"]] == [
        ("Need", 4.5),
        ("Feasibility", 3.5),
    ]
    assert [m["mean"] for m in rows[2]["criterion_means"]] == [4.333, 3.667]
    assert rows[3]["criterion_means"] == []


def test_ranking_is_for_staff(client, scoring, make_staff):
    pid, *_ = scoring
    url = f"/api/processes/{pid}/ideas/ranking"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=make_staff(Role.poll_worker).headers).status_code == 200
    assert (
        client.get(
            "/api/processes/999999/ideas/ranking", headers=make_staff(Role.organizer).headers
        ).status_code
        == 404
    )


def test_rank_ideas_exact_ties_that_floats_would_break():
    """0.1 + 0.2 != 0.3 in floats; in fractions the two ideas below tie exactly."""
    weights = {1: 7, 2: 3}  # weighted score = (7a + 3b) / 10
    # Idea 2: scores 1/10 apart summing like 0.1 + 0.2; idea 1: the same mean in one step.
    idea_two = IdeaScores(2, [{1: 1, 2: 2}, {1: 1, 2: 3}, {1: 1, 2: 4}])  # 13/10, 16/10, 19/10
    idea_one = IdeaScores(1, [{1: 1, 2: 3}])  # 16/10
    ranked = rank_ideas([idea_two, idea_one], weights)
    assert [r.idea_id for r in ranked] == [1, 2]
    assert ranked[0].weighted_mean == ranked[1].weighted_mean == Fraction(8, 5)
    assert ranked[1].variance == Fraction(6, 100)
    assert rounded(Fraction(2, 3)) == 0.667 and rounded(Fraction(1, 2000)) == 0.0
    assert rounded_sqrt(Fraction(1, 72)) == 0.118


def test_rank_ideas_unscored_last_by_id():
    ranked = rank_ideas([IdeaScores(5, []), IdeaScores(3, []), IdeaScores(9, [{1: 1}])], {1: 1})
    assert [(r.idea_id, r.delegates) for r in ranked] == [(9, 1), (3, 0), (5, 0)]


def test_database_refuses_a_second_score_row_for_the_same_delegate_and_idea(scoring, session):
    from sqlalchemy.exc import IntegrityError

    pid, criteria, ideas, (d1, *_) = scoring
    session.add(DelegateScore(idea_id=ideas[0], delegate_id=d1.user.id))
    session.flush()
    session.add(DelegateScore(idea_id=ideas[0], delegate_id=d1.user.id))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_database_refuses_values_outside_1_to_5(scoring, session):
    from sqlalchemy.exc import IntegrityError

    pid, criteria, ideas, (d1, *_) = scoring
    row = DelegateScore(idea_id=ideas[0], delegate_id=d1.user.id)
    session.add(row)
    session.flush()
    session.add(CriterionScore(delegate_score_id=row.id, criterion_id=criteria[0], value=6))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
