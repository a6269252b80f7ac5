"""Sequential instant runoff: the IRV winner, then IRV among the rest, and so on.

Each IRV eliminates one project at a time: the one with fewest votes, and among equal
lowest the one the tie-break prefers least. A project wins when it holds more than half
of the ballots still in the count (or is the last one left). Blank and exhausted ballots
are reported as exhausted in every round.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from app.tally.ballots import BallotBox
from app.tally.outcome import MethodOutcome, Preference
from app.tally.piles import continuing_mask, first_continuing, padded, sum_by_project
from app.tally.result import Round, TieBreakUse
from app.tally.rules import Rules


def count_irv(*, box: BallotBox, rules: Rules, preference: Preference) -> MethodOutcome:
    n_projects = len(box.projects)
    costs = [rules.costs[p] for p in box.projects]
    outcome = MethodOutcome(order=[], fundable=[], scores={})
    # Each runoff starts from the ballots with earlier winners removed: keep that start
    # state and move only the last winner's ballots, instead of recounting all of them.
    start = _Piles.start(box)
    left = rules.budget
    while len(outcome.order) < n_projects:
        unplaced = [i for i in range(n_projects) if start.stop[i]]
        if min(costs[i] for i in unplaced) > left:
            outcome.notes.append(
                f"irv stopped after stage {len(outcome.order)}: no remaining project fits the "
                f"{left} left, so the rest are listed in tie-break order without runoffs"
            )
            outcome.order.extend(preference.by_preference(unplaced))
            break
        winner, votes = _one_runoff(
            box=box,
            stage=len(outcome.order) + 1,
            piles=start.copy(),
            preference=preference,
            outcome=outcome,
        )
        outcome.order.append(winner)
        outcome.fundable.append(winner)
        outcome.scores[winner] = votes
        if costs[winner] <= left:
            left -= costs[winner]
        start.move(winner)
    return outcome


class _Piles:
    """Where each ballot group sits. ``position`` indexes the flattened, padded ranks;
    ``rows_on[p]`` lists arrays of the rows whose current choice is p, so eliminating p
    touches only its own ballots. ``stop[p]``: p still continues; the last entry (for the
    -1 padding) is always True so every scan ends."""

    def __init__(self, *, flat, rows_on, position, tallies, stop, weights) -> None:
        self.flat, self.rows_on, self.position = flat, rows_on, position
        self.tallies, self.stop, self.weights = tallies, stop, weights

    @classmethod
    def start(cls, box: BallotBox) -> _Piles:
        n_projects = len(box.projects)
        ranks = padded(box.ranks)
        top, column = first_continuing(ranks, continuing=continuing_mask(n_projects))
        width = ranks.shape[1]
        position = np.arange(len(ranks)) * width + np.minimum(column, width - 1)
        piles = cls(
            flat=ranks.ravel(),
            rows_on=[[] for _ in range(n_projects)],
            position=position,
            tallies=sum_by_project(top, box.counts, n_projects),
            stop=np.ones(n_projects + 1, dtype=bool),
            weights=box.counts.astype(np.float64),
        )
        piles._file(np.arange(len(ranks)), top)
        return piles

    def copy(self) -> _Piles:
        return _Piles(
            flat=self.flat,
            rows_on=[list(rows) for rows in self.rows_on],
            position=self.position.copy(),
            tallies=self.tallies.copy(),
            stop=self.stop.copy(),
            weights=self.weights,
        )

    def move(self, project: int) -> tuple[np.ndarray, int]:
        """Take ``project`` out and send its ballots to their next continuing choice;
        returns what each project gained and how many ballots moved."""
        self.stop[project] = False
        pile, self.rows_on[project] = self.rows_on[project], []
        moved = np.concatenate(pile) if pile else np.zeros(0, dtype=np.int64)
        position = self.position[moved] + 1
        choice = self.flat[position]
        pending = np.flatnonzero(~self.stop[choice])
        while pending.size:  # most ballots stop at the very next rank
            position[pending] += 1
            choice[pending] = self.flat[position[pending]]
            pending = pending[~self.stop[choice[pending]]]
        self.position[moved] = position
        self._file(moved, choice)
        weights = self.weights[moved]
        sums = np.bincount(choice + 1, weights=weights, minlength=len(self.tallies) + 1)[1:]
        gained = np.rint(sums).astype(np.int64)
        self.tallies += gained
        self.tallies[project] = 0
        return gained, int(round(weights.sum()))

    def _file(self, rows: np.ndarray, choice: np.ndarray) -> None:
        # A stable sort of small integers is a radix sort in numpy: linear time.
        order = np.argsort(choice.astype(np.int16), kind="stable")
        ends = np.cumsum(np.bincount(choice + 1, minlength=len(self.rows_on) + 1))
        for project in np.flatnonzero(np.diff(ends)).tolist():
            self.rows_on[project].append(rows[order[ends[project] : ends[project + 1]]])


def _one_runoff(
    *,
    box: BallotBox,
    stage: int,
    piles: _Piles,
    preference: Preference,
    outcome: MethodOutcome,
) -> tuple[int, int]:
    n_projects = len(box.projects)
    tallies = piles.tallies
    alive = [i for i in range(n_projects) if piles.stop[i]]
    for round_no in range(1, n_projects + 1):
        active = int(tallies[alive].sum())
        leader = max(alive, key=lambda i: (tallies[i], -preference.rank[i]))
        record = Round(
            stage=stage,
            round=round_no,
            tallies=_named(alive, tallies, box),
            exhausted=box.total - active,
        )
        if 2 * tallies[leader] > active or len(alive) == 1:
            outcome.rounds.append(replace(record, elected=box.projects[leader]))
            return leader, int(tallies[leader])
        loser = _lowest(alive, tallies, preference, stage, round_no, outcome)
        alive.remove(loser)
        gained, moved = piles.move(loser)
        outcome.rounds.append(
            replace(
                record, eliminated=box.projects[loser], transfers=_transfers(gained, moved, box)
            )
        )
    raise AssertionError("a runoff always ends with one project left")


def _lowest(alive, tallies, preference, stage, round_no, outcome) -> int:
    fewest = min(int(tallies[i]) for i in alive)
    tied = [i for i in alive if tallies[i] == fewest]
    loser = preference.worst(tied)
    if len(tied) > 1:
        outcome.tie_breaks.append(
            TieBreakUse(
                stage=stage,
                round=round_no,
                decision="eliminate",
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
