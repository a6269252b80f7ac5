"""Single transferable vote, Droop quota, weighted inclusive Gregory in exact fractions.

Each round, in this order:
1. if no more projects continue than seats are open, all of them are elected (most votes
   first) and the count ends;
2. else if any project holds at least the quota, the one with most votes is elected (one
   per round) and keeps exactly the quota; every ballot on it continues to its next
   continuing choice at its weight times surplus / votes;
3. else the project with fewest votes is eliminated and its ballots continue at their
   weight.
Ties go to the tie-break (preferred is elected first, eliminated last). The quota is
floor(valid / (seats + 1)) + 1 with valid = non-blank ballots. This is votekit's ``STV``
with ``simultaneous=False`` and fractional transfer.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np

from app.tally.ballots import BallotBox
from app.tally.outcome import MethodOutcome, Preference
from app.tally.piles import continuing_mask, first_continuing
from app.tally.result import Round, TieBreakUse


class _Weights:
    """Ballot weights as small integer classes, so identical weights are summed in arrays."""

    def __init__(self, rows: int) -> None:
        self.values: list[Fraction] = [Fraction(1)]
        self.ids: dict[Fraction, int] = {Fraction(1): 0}
        self.of_row = np.zeros(rows, dtype=np.int64)

    def intern(self, value: Fraction) -> int:
        if value not in self.ids:
            self.ids[value] = len(self.values)
            self.values.append(value)
        return self.ids[value]

    def sums(
        self, tops: np.ndarray, rows: np.ndarray, counts: np.ndarray, n: int
    ) -> list[Fraction]:
        """Weighted ballots per project index for ``rows`` sitting on ``tops``."""
        sums = [Fraction(0)] * n
        present = tops >= 0
        keys = tops[present].astype(np.int64) * len(self.values) + self.of_row[rows[present]]
        unique, inverse = np.unique(keys, return_inverse=True)
        per_key = np.bincount(inverse, weights=counts[present], minlength=len(unique))
        for key, ballots in zip(
            unique.tolist(), np.rint(per_key).astype(np.int64).tolist(), strict=True
        ):
            project, weight_class = divmod(key, len(self.values))
            sums[project] += ballots * self.values[weight_class]
        return sums

    def total(self, rows: np.ndarray, counts: np.ndarray) -> Fraction:
        per_class = np.bincount(self.of_row[rows], weights=counts, minlength=len(self.values))
        return sum(
            (int(round(c)) * v for c, v in zip(per_class, self.values, strict=True)), Fraction(0)
        )


def count_stv(*, box: BallotBox, seats: int, preference: Preference) -> MethodOutcome:
    n = len(box.projects)
    everyone = np.arange(len(box.counts))
    continuing = continuing_mask(n)
    top, column = first_continuing(box.ranks, continuing=continuing)
    weights = _Weights(len(box.counts))
    tallies = weights.sums(top, everyone, box.counts, n)
    quota = (box.total - box.blank) // (seats + 1) + 1
    state = _State(alive=list(range(n)), held={}, elected=[], eliminated=[])
    outcome = MethodOutcome(order=[], fundable=[], scores={})
    outcome.notes.append(f"Droop quota {quota} for {seats} seats")
    round_no = 0
    while len(state.elected) < seats:
        round_no += 1
        record = Round(
            stage=1,
            round=round_no,
            tallies=_named(state, tallies, box),
            exhausted=box.total - sum(tallies[i] for i in state.alive) - sum(state.held.values()),
        )
        if len(state.alive) <= seats - len(state.elected):
            _elect_rest(state, tallies, preference, record, outcome, box)
            break
        reaching = [i for i in state.alive if tallies[i] >= quota]
        if reaching:
            chosen = _pick(reaching, tallies, preference, max, "elect", round_no, outcome)
            factor = (tallies[chosen] - quota) / tallies[chosen]
            outcome.scores[chosen] = tallies[chosen]
            state.elected.append(chosen)
            state.held[chosen] = Fraction(quota)
        else:
            chosen = _pick(state.alive, tallies, preference, min, "eliminate", round_no, outcome)
            factor = None
            state.eliminated.append(chosen)
        state.alive.remove(chosen)
        continuing[chosen] = False
        moved = np.flatnonzero(top == chosen)
        if factor is not None:
            _reweigh(weights, moved, factor)
        top[moved], column[moved] = first_continuing(
            box.ranks[moved], continuing=continuing, after=column[moved]
        )
        gained = weights.sums(top[moved], moved, box.counts[moved], n)
        sent = weights.total(moved, box.counts[moved])
        for i in state.alive:
            tallies[i] += gained[i]
        tallies[chosen] = Fraction(0)
        transfers = (
            *((box.projects[i], gained[i]) for i in range(n) if gained[i]),
            ("exhausted", sent - sum(gained)),
        )
        name = box.projects[chosen]
        if factor is not None:
            outcome.rounds.append(replace(record, elected=name, transfers=transfers))
        else:
            outcome.rounds.append(replace(record, eliminated=name, transfers=transfers))
    _finish_order(state, tallies, preference, outcome)
    return outcome


class _State:
    def __init__(self, *, alive, held, elected, eliminated) -> None:
        self.alive: list[int] = alive
        self.held: dict[int, Fraction] = held
        self.elected: list[int] = elected
        self.eliminated: list[int] = eliminated


def _reweigh(weights: _Weights, moved: np.ndarray, factor: Fraction) -> None:
    old = weights.of_row[moved]
    classes = np.unique(old)
    new_ids = np.array([weights.intern(weights.values[k] * factor) for k in classes.tolist()])
    weights.of_row[moved] = new_ids[np.searchsorted(classes, old)]


def _pick(candidates, tallies, preference, extreme, decision, round_no, outcome) -> int:
    value = extreme(tallies[i] for i in candidates)
    tied = [i for i in candidates if tallies[i] == value]
    chosen = preference.best(tied) if decision == "elect" else preference.worst(tied)
    if len(tied) > 1:
        outcome.tie_breaks.append(
            TieBreakUse(
                stage=1,
                round=round_no,
                decision=decision,
                tied=preference.names(preference.by_preference(tied)),
                chosen=preference.projects[chosen],
            )
        )
    return chosen


def _elect_rest(state, tallies, preference, record, outcome, box) -> None:
    """No more continuing projects than open seats: all are elected, most votes first.
    Each is its own round record (same tallies) so every election is listed."""
    remaining = sorted(state.alive, key=lambda i: (-tallies[i], preference.rank[i]))
    seen_ties = set()
    for i in remaining:
        tied = [j for j in remaining if tallies[j] == tallies[i]]
        if len(tied) > 1 and tallies[i] not in seen_ties:
            seen_ties.add(tallies[i])
            names = preference.names(tied)  # already in tie-break order
            outcome.tie_breaks.append(
                TieBreakUse(
                    stage=1, round=record.round, decision="elect", tied=names, chosen=names[0]
                )
            )
        outcome.scores[i] = tallies[i]
        state.elected.append(i)
        state.held[i] = tallies[i]
        outcome.rounds.append(replace(record, elected=box.projects[i]))
    state.alive.clear()


def _finish_order(state, tallies, preference, outcome) -> None:
    unelected = sorted(state.alive, key=lambda i: (-tallies[i], preference.rank[i]))
    outcome.order = [*state.elected, *unelected, *reversed(state.eliminated)]
    outcome.fundable = list(state.elected)


def _named(state: _State, tallies: list[Fraction], box: BallotBox):
    shown = sorted([*state.alive, *state.held])
    return tuple((box.projects[i], state.held.get(i, tallies[i])) for i in shown)
