"""Independent counts to compare ours with: pabutools (greedy, MES), pyrankvote (IRV),
and a deliberately plain STV written here (votekit would downgrade the shared venv's
numpy, so it is not installed)."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from pabutools.election import Instance, OrdinalBallot, OrdinalProfile, Project
from pabutools.election.satisfaction import PositionalSatisfaction
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
from pabutools.tiebreaking import lexico_tie_breaking


def _instance(costs: dict[str, int], budget: int) -> tuple[Instance, dict[str, Project]]:
    projects = {p: Project(p, c) for p, c in costs.items()}
    return Instance(projects.values(), budget_limit=budget), projects


def _profile(ballots: Counter, projects: dict[str, Project], instance: Instance) -> OrdinalProfile:
    expanded = []
    for (ranking, _channel), n in sorted(ballots.items(), key=repr):
        expanded += [OrdinalBallot([projects[p] for p in ranking]) for _ in range(n)]
    return OrdinalProfile(expanded, instance=instance)


def _sat_class(points: tuple[int, ...], times_cost: bool):
    def positional(ballot, project):
        if project not in ballot:
            return 0
        value = points[ballot.position(project)]
        return value * project.cost if times_cost else value

    class PointsSat(PositionalSatisfaction):
        def __init__(self, instance, profile, ballot):
            super().__init__(instance, profile, ballot, positional, sum)

    return PointsSat


def _barred(ballots: Counter, costs: dict[str, int], budget: int, min_votes: int):
    """Costs with every project named on fewer than ``min_votes`` ballots priced out of
    reach (more than the budget): pabutools has no minimum support, and a project no one
    can afford is never funded and changes nothing else, in greedy and MES alike."""
    votes = Counter(p for (ranking, _), n in ballots.items() for p in ranking for _ in range(n))
    return {p: budget + 1 if votes[p] < min_votes else c for p, c in costs.items()}


def pabutools_greedy(
    ballots: Counter, costs: dict[str, int], budget: int, points, *, min_votes: int = 0
) -> set[str]:
    instance, projects = _instance(_barred(ballots, costs, budget, min_votes), budget)
    profile = _profile(ballots, projects, instance)
    chosen = greedy_utilitarian_welfare(
        instance,
        profile,
        sat_class=_sat_class(tuple(points), times_cost=True),
        is_sat_additive=True,
        tie_breaking=lexico_tie_breaking,
    )
    return {p.name for p in chosen}


def pabutools_mes(
    ballots: Counter, costs: dict[str, int], budget: int, points, add1=False, *, min_votes=0
):
    instance, projects = _instance(_barred(ballots, costs, budget, min_votes), budget)
    profile = _profile(ballots, projects, instance)
    chosen = method_of_equal_shares(
        instance,
        profile,
        sat_class=_sat_class(tuple(points), times_cost=False),
        tie_breaking=lexico_tie_breaking,
        voter_budget_increment=1 if add1 else None,
    )
    return [p.name for p in chosen]


def plain_stv(rankings: list[tuple[str, ...]], candidates: list[str], seats: int) -> list[str]:
    """STV the slow, obvious way: one dict per ballot, Fractions, lexicographic ties.
    Same rule as app.tally.stv (see its docstring), written independently."""
    papers = [{"ranking": list(r), "weight": Fraction(1)} for r in rankings]
    quota = sum(1 for r in rankings if r) // (seats + 1) + 1
    hopeful, elected = set(candidates), []

    def current(paper):
        return next((c for c in paper["ranking"] if c in hopeful), None)

    while len(elected) < seats:
        votes = {c: Fraction(0) for c in hopeful}
        for paper in papers:
            choice = current(paper)
            if choice is not None:
                votes[choice] += paper["weight"]
        if len(hopeful) <= seats - len(elected):
            elected += sorted(hopeful, key=lambda c: (-votes[c], c))
            break
        top = max(votes.values())
        if top >= quota:
            winner = min(c for c in hopeful if votes[c] == top)
            for paper in papers:
                if current(paper) == winner:
                    paper["weight"] = paper["weight"] * (top - quota) / top
            hopeful.discard(winner)
            elected.append(winner)
        else:
            low = min(votes.values())
            hopeful.discard(max(c for c in hopeful if votes[c] == low))
    return elected


def pyrankvote_winners(
    ballots: Counter, candidates: list[str], seats: int | None = None
) -> list[str]:
    """pyrankvote's IRV winner (seats None) or STV winners, by name."""
    import pyrankvote
    from pyrankvote import Ballot, Candidate

    people = {c: Candidate(c) for c in candidates}
    papers = [
        Ballot(ranked_candidates=[people[p] for p in ranking])
        for (ranking, _channel), n in sorted(ballots.items(), key=repr)
        for _ in range(n)
    ]
    if seats is None:
        result = pyrankvote.instant_runoff_voting(list(people.values()), papers)
    else:
        result = pyrankvote.single_transferable_vote(list(people.values()), papers, seats)
    return [c.name for c in result.get_winners()]


def plain_sequential_irv(rankings: list[tuple[str, ...]], candidates: list[str]):
    """Sequential IRV the obvious way: count first continuing choices every round;
    a majority of the active ballots (or being last) wins; the lowest is eliminated,
    the id that sorts last among equal lowest. Then again without the winners.
    Returns the order and every round as (stage, tallies, eliminated or None)."""
    order: list[str] = []
    rounds = []
    while len(order) < len(candidates):
        hopeful = set(candidates) - set(order)
        while True:
            votes = dict.fromkeys(hopeful, 0)
            for ranking in rankings:
                choice = next((c for c in ranking if c in hopeful), None)
                if choice is not None:
                    votes[choice] += 1
            top = max(votes.values())
            leader = min(c for c in hopeful if votes[c] == top)
            if 2 * top > sum(votes.values()) or len(hopeful) == 1:
                rounds.append((len(order) + 1, votes, None))
                order.append(leader)
                break
            low = min(votes.values())
            loser = max(c for c in hopeful if votes[c] == low)
            rounds.append((len(order) + 1, votes, loser))
            hopeful.discard(loser)
    return order, rounds
