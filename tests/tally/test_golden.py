"""Hand-checked small elections (tests/data/golden/*.json: input, the hand check, and the
expected result), compared field by field, and pyrankvote's known faults on two of them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from app.tally import Rules, TieBreak, tally
from tests.tally.references import pabutools_mes, pyrankvote_winners

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
FILES = sorted(GOLDEN.glob("*.json"))


def load(path: Path) -> tuple[Counter, Rules, dict]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    spec = doc["rules"]
    rules = Rules(
        method=spec["method"],
        budget=spec["budget"],
        costs=spec["costs"],
        ballot_size=spec["ballot_size"],
        tie_break=TieBreak.parse(spec["tie_break"]),
        points=tuple(spec["points"]) if spec.get("points") else None,
        seats=spec.get("seats"),
    )
    ballots: Counter = Counter()
    for ballot in doc["ballots"]:
        ballots[(tuple(ballot["ranking"]), ballot["channel"])] += ballot["count"]
    return ballots, rules, doc


def test_there_are_golden_files():
    assert len(FILES) >= 4


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_golden(path):
    ballots, rules, doc = load(path)
    actual = tally(ballots=ballots, rules=rules).to_dict()
    expected = doc["expected"]
    assert actual.keys() == expected.keys()
    for field in expected:
        if field == "rounds":
            assert len(actual["rounds"]) == len(expected["rounds"])
            for got, want in zip(actual["rounds"], expected["rounds"], strict=True):
                assert got == want, f"{path.name}: stage {want['stage']} round {want['round']}"
        else:
            assert actual[field] == expected[field], f"{path.name}: {field}"


def test_pyrankvote_batch_elimination_drops_30_keeps_20():
    ballots, rules, _ = load(GOLDEN / "irv_one_elimination_per_round.json")
    import pyrankvote
    from pyrankvote import Ballot, Candidate

    people = {c: Candidate(c) for c in sorted(rules.costs)}
    papers = [
        Ballot(ranked_candidates=[people[p] for p in r])
        for (r, _), n in ballots.items()
        for _ in range(n)
    ]
    first = pyrankvote.instant_runoff_voting(list(people.values()), papers).rounds[0]
    status = {r.candidate.name: (r.number_of_votes, r.status) for r in first.candidate_results}
    # pyrankvote (wrong): C with 30 votes is rejected in round 1 together with E and F,
    # while D with 20 stays in the race.
    assert status["C"] == (30, "Rejected") and status["D"] == (20, "Hopeful")
    # Ours (right, hand-computed in the golden file): F, E, D, C, one per round.
    ours = tally(ballots=ballots, rules=rules)
    assert [r.eliminated for r in ours.rounds if r.eliminated] == ["F", "E", "D", "C"]


def test_pyrankvote_averages_weights_in_stv_transfers():
    ballots, rules, _ = load(GOLDEN / "stv_weighted_transfers.json")
    # pyrankvote (wrong): X's surplus 10 spread as 10/60 per ballot, whatever its weight,
    # puts P at 19 + 40/6 = 25.67 over its quota of 25.
    assert sorted(pyrankvote_winners(ballots, sorted(rules.costs), seats=3)) == ["A", "P", "X"]
    # Ours (right): P = 19 + 56/17 = 22.29 < Q = 21 + 80/17 = 25.71; P is eliminated, Q elected.
    assert tally(ballots=ballots, rules=rules).selected == ("A", "X", "Q")


def test_mes_golden_agrees_with_pabutools():
    ballots, rules, doc = load(GOLDEN / "mes_small.json")
    assert (
        pabutools_mes(ballots, dict(rules.costs), rules.budget, rules.rank_points())
        == doc["expected"]["selected"]
    )
