"""Sequential instant runoff: the IRV winner, then IRV among the rest, and so on.

Each IRV eliminates one project at a time: the one with fewest votes, and among equal
lowest the one the tie-break prefers least. A project wins when it holds more than half
of the ballots still in the count (or is the last one left). Blank and exhausted ballots
are reported as exhausted in every round.
"""

from __future__ import annotations

import numpy as np

from app.tally.ballots import BallotBox
from app.tally.outcome import MethodOutcome, Preference
from app.tally.piles import advance, continuing_mask, first_continuing, padded, sum_by_project
from app.tally.result import Round, TieBreakUse
from app.tally.rules import Rules


def count_irv(*, box: BallotBox, rules: Rules, preference: Preference) -> MethodOutcome:
    n_projects = len(box.projects)
    costs = [rules.costs[p] for p in box.projects]
    outcome = MethodOutcome(order=[], fundable=[], scores={})
    # Each runoff starts from the ballots with earlier winners removed: keep that start
    # state and move only the last winner's ballots, instead of recounting all of them.
    out_mask = continuing_mask(n_projects)
    ranks = padded(box.ranks)
    start = _Start(*first_continuing(box.ranks, continuing=out_mask), None)
    start.tallies = sum_by_project(start.top, box.counts, n_projects)
    left = rules.budget
    while len(outcome.order) < n_projects:
        unplaced = [i for i in range(n_projects) if out_mask[i]]
        if min(costs[i] for i in unplaced) > left:
            outcome.notes.append(
                f"irv stopped after stage {len(outcome.order)}: no remaining project fits the "
                f"{left} left, so the rest are listed in tie-break order without runoffs"
            )
            outcome.order.extend(preference.by_preference(unplaced))
            break
        winner, votes = _one_runoff(
            box=box, ranks=ranks, stage=len(outcome.order) + 1, start=start, continuing=out_mask.copy(),
            preference=preference, outcome=outcome,
        )
        outcome.order.append(winner)
        outcome.fundable.append(winner)
        outcome.scores[winner] = votes
        if costs[winner] <= left:
            left -= costs[winner]
        out_mask[winner] = False
        _move(box, ranks, start.top, start.column, start.tallies, winner, out_mask)
    return outcome


class _Start:
    def __init__(self, top: np.ndarray, column: np.ndarray, tallies) -> None:
        self.top, self.column, self.tallies = top, column, tallies


def _move(box, ranks, top, column, tallies, project, continuing) -> tuple[np.ndarray, np.ndarray]:
    """Send the ballots on ``project`` to their next continuing choice; returns what
    each project gained and how many ballots moved."""
    moved = np.flatnonzero(top == project)
    new_top, new_column = advance(ranks, moved, column, continuing)
    top[moved], column[moved] = new_top, new_column
    counts = box.counts[moved]
    gained = sum_by_project(new_top, counts, len(box.projects))
    tallies += gained
    tallies[project] = 0
    return gained, int(counts.sum())


def _one_runoff(
    *, box: BallotBox, ranks: np.ndarray, stage: int, start: _Start, continuing: np.ndarray,
    preference: Preference, outcome: MethodOutcome,
) -> tuple[int, int]:
    n_projects = len(box.projects)
    top, column, tallies = start.top.copy(), start.column.copy(), start.tallies.copy()
    alive = [i for i in range(n_projects) if continuing[i]]
    for round_no in range(1, n_projects + 1):
        active = int(tallies[alive].sum())
        leader = max(alive, key=lambda i: (tallies[i], -preference.rank[i]))
        record = dict(
            stage=stage, round=round_no, tallies=_named(alive, tallies, box),
            exhausted=box.total - active,
        )
        if 2 * tallies[leader] > active or len(alive) == 1:
            outcome.rounds.append(Round(**record, elected=box.projects[leader]))
            return leader, int(tallies[leader])
        loser = _lowest(alive, tallies, preference, stage, round_no, outcome)
        alive.remove(loser)
        continuing[loser] = False
        gained, moved = _move(box, ranks, top, column, tallies, loser, continuing)
        outcome.rounds.append(
            Round(**record, eliminated=box.projects[loser], transfers=_transfers(gained, moved, box))
        )
    raise AssertionError("a runoff always ends with one project left")


def _lowest(alive, tallies, preference, stage, round_no, outcome) -> int:
    fewest = min(int(tallies[i]) for i in alive)
    tied = [i for i in alive if tallies[i] == fewest]
    loser = preference.worst(tied)
    if len(tied) > 1:
        outcome.tie_breaks.append(
            TieBreakUse(
                stage=stage, round=round_no, decision="eliminate",
                tied=preference.names(preference.by_preference(tied)),
                chosen=preference.projects[loser],
            )
        )
    return loser


def _named(alive: list[int], tallies: np.ndarray, box: BallotBox) -> tuple[tuple[str, int], ...]:
    return tuple((box.projects[i], int(tallies[i])) for i in sorted(alive))


def _transfers(gained: np.ndarray, moved: int, box: BallotBox) -> tuple[tuple[str, int], ...]:
    """Where the last eliminated project's ballots went; 'exhausted' for those that ended."""
    went = [(box.projects[i], int(gained[i])) for i in np.flatnonzero(gained)]
    return (*went, ("exhausted", moved - int(gained.sum())))
