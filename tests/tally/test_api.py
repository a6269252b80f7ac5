"""The shapes the service passes in, and tie-breaks doing what the rule says."""

from __future__ import annotations

import hashlib
from collections import Counter

from app.tally import Rules, TieBreak, group_ballots, tally

COSTS = {"a": 10, "b": 10, "c": 10}


def _rules(**kw) -> Rules:
    fields = dict(budget=10, costs=COSTS, tie_break=TieBreak.lexicographic(), ballot_size=2)
    fields.update(kw)
    return Rules(**fields)


def test_counter_pairs_lists_and_ballot_box_give_the_same_result():
    pairs = [(["a", "b"], "online"), (("b",), None), (("a", "b"), "online"), ((), "paper")]
    rules = _rules()
    by_pairs = tally(ballots=pairs, rules=rules).to_json()
    counter = Counter({(("a", "b"), "online"): 2, (("b",), None): 1, ((), "paper"): 1})
    assert tally(ballots=counter, rules=rules).to_json() == by_pairs
    box = group_ballots(counter, rules=rules)
    assert tally(ballots=box, rules=rules).to_json() == by_pairs
    assert box.total == 4 and box.blank == 1


def _seed_order(seed: str, projects) -> list[str]:
    return sorted(projects, key=lambda p: hashlib.sha256(f"{seed}:{p}".encode()).hexdigest())


def test_seeded_tie_break_decides_greedy_irv_and_stv_ties():
    # a, b and c tie on every measure; the seed's permutation decides.
    ballots = Counter({(("a",), None): 1, (("b",), None): 1, (("c",), None): 1})
    for seed in ("x", "y", "z"):
        first, *_, last = _seed_order(seed, COSTS)
        for method in ("borda", "approval", "irv", "stv"):
            extra = {"seats": 1} if method == "stv" else {}
            rules = _rules(method=method, tie_break=TieBreak(seed=seed), **extra)
            result = tally(ballots=ballots, rules=rules)
            assert result.selected == (first,), (seed, method)
            assert result.tie_breaks, (seed, method)
            if method in ("irv", "stv"):
                assert result.rounds[0].eliminated == last, (seed, method)


def test_seeded_tie_break_decides_mes_ties():
    # Each third of the voters can just pay for its own project: all tie at every round.
    ballots = Counter({(("a",), None): 1, (("b",), None): 1, (("c",), None): 1})
    for seed in ("x", "y", "z"):
        rules = _rules(method="mes", budget=30, tie_break=TieBreak(seed=seed))
        assert list(tally(ballots=ballots, rules=rules).selected) == _seed_order(seed, COSTS)


def test_lexicographic_prefers_the_id_that_sorts_first():
    ballots = Counter({(("b",), None): 1, (("a",), None): 1})
    result = tally(ballots=ballots, rules=_rules(method="irv"))
    assert result.selected == ("a",)
    assert result.rounds[0].eliminated == "c" and result.rounds[1].eliminated == "b"
