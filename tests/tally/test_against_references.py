"""Our counts agree with independent implementations on generated elections."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.tally import Rules, TieBreak, tally
from app.tally.rules import MinSupport
from tests.tally.references import (
    pabutools_greedy,
    pabutools_mes,
    plain_sequential_irv,
    plain_stv,
)
from tests.tally.strategies import elections

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LEX = TieBreak.lexicographic()


def _rules(costs, budget, **kw) -> Rules:
    return Rules(budget=budget, costs=costs, tie_break=LEX, ballot_size=3, **kw)


# Minimum support in votes: 0 is pabutools' own rule (a project nobody voted for may be
# funded), 1 pbvote's default (never), more: pabutools with the rest priced out of reach.
MIN_VOTES = st.integers(0, 3)


def _support(min_votes: int) -> dict:
    return {"min_support": MinSupport.parse(f"votes:{min_votes}")}


@SETTINGS
@given(elections(), st.sampled_from([(3, 2, 1), (17, 16, 15), (5, 5, 1)]), MIN_VOTES)
def test_borda_selects_what_pabutools_greedy_selects(election, points, min_votes):
    ballots, costs, budget = election
    rules = _rules(costs, budget, method="borda", points=points, **_support(min_votes))
    ours = tally(ballots=ballots, rules=rules)
    theirs = pabutools_greedy(ballots, costs, budget, points, min_votes=min_votes)
    assert set(ours.selected) == theirs


@SETTINGS
@given(elections(), MIN_VOTES)
def test_approval_selects_what_pabutools_greedy_selects(election, min_votes):
    ballots, costs, budget = election
    ours = tally(
        ballots=ballots, rules=_rules(costs, budget, method="approval", **_support(min_votes))
    )
    theirs = pabutools_greedy(ballots, costs, budget, (1, 1, 1), min_votes=min_votes)
    assert set(ours.selected) == theirs


@SETTINGS
@given(elections(), st.sampled_from([(3, 2, 1), (5, 4, 3), (2, 2, 1)]), MIN_VOTES)
def test_mes_selects_what_pabutools_mes_selects(election, points, min_votes):
    ballots, costs, budget = election
    rules = _rules(costs, budget, method="mes", points=points, **_support(min_votes))
    ours = tally(ballots=ballots, rules=rules)
    assert list(ours.selected) == pabutools_mes(ballots, costs, budget, points, min_votes=min_votes)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_projects=5, max_groups=6))
def test_mes_add1_selects_what_pabutools_iterated_mes_selects(election):
    ballots, costs, budget = election
    rules = _rules(costs, budget, method="mes", completion="add1-pabutools")
    ours = tally(ballots=ballots, rules=rules)
    assert set(ours.selected) == set(pabutools_mes(ballots, costs, budget, (3, 2, 1), add1=True))


@SETTINGS
@given(elections(), st.integers(1, 4))
def test_stv_elects_what_a_plain_independent_stv_elects(election, seats):
    ballots, costs, budget = election
    seats = min(seats, len(costs))
    ours = tally(ballots=ballots, rules=_rules(costs, budget, method="stv", seats=seats))
    rankings = [r for (r, _), n in ballots.items() for _ in range(n)]
    elected = [line.project for line in ours.projects[:seats]]
    assert elected == plain_stv(rankings, sorted(costs), seats)


@SETTINGS
@given(elections())
def test_irv_order_is_a_plain_sequential_irv(election):
    ballots, costs, _budget = election
    # The whole budget: every stage runs, so the full order can be compared.
    rules = _rules(costs, sum(costs.values()), method="irv")
    ours = tally(ballots=ballots, rules=rules)
    rankings = [r for (r, _), n in ballots.items() for _ in range(n)]
    order, rounds = plain_sequential_irv(rankings, sorted(costs))
    assert [line.project for line in ours.projects] == order
    assert [(r.stage, dict(r.tallies), r.eliminated) for r in ours.rounds] == rounds
