"""Sequential instant runoff: the IRV winner, then IRV among the rest, and so on.

Each IRV eliminates one project at a time: the one with fewest votes, and among equal
lowest the one the tie-break prefers least. A project wins when it holds more than half
of the ballots still in the count (or is the last one left). Blank and exhausted ballots
are reported as exhausted in every round.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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
    previous: _Previous | None = None
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
        runoff = _Runoff(box=box, start=start, previous=previous)
        winner, votes = runoff.run(
            stage=len(outcome.order) + 1, preference=preference, outcome=outcome
        )
        outcome.order.append(winner)
        outcome.fundable.append(winner)
        outcome.scores[winner] = votes
        if costs[winner] <= left:
            left -= costs[winner]
        first = start.move(winner)
        start.tallies += first.sums[1:]
        start.tallies[winner] = 0
        diverted = {p: list(chunks) for p, chunks in first.landed.items() if p >= 0}
        previous = _Previous(winner=winner, moves=runoff.moves, diverted=diverted)
    return outcome


# (rows, positions) pieces of ballot groups that sit on the same project.
_Chunks = list[tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class _Move:
    """One elimination as it happened: the ballot groups that left ``project`` and where
    each now sits in the flattened ranks, filed by the project there (-1: exhausted);
    ``sums[p + 1]`` ballots went to p. Filed, so that a replay picks out the ballots
    that went to the last winner without scanning the rest."""

    project: int
    landed: dict[int, _Chunks]
    sums: np.ndarray


def _advance(flat: np.ndarray, position: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Move each position (in place) to the next rank whose project continues, or to the
    -1 padding; return the projects there. Most ballots stop at the very next rank."""
    # np.take: a plain gather, quicker than fancy indexing on large 1-d arrays.
    gone = ~stop
    position += 1
    choice = np.take(flat, position)
    pending = np.flatnonzero(np.take(gone, choice))
    while pending.size:
        position[pending] += 1
        choice[pending] = np.take(flat, position[pending])
        pending = pending[np.take(gone, choice[pending])]
    return choice


def _filed(top: np.ndarray):
    """(project, indices into top) for every project (-1: exhausted) some entry is on."""
    # A stable sort of small integers is a radix sort in numpy: linear time.
    order = np.argsort(top.astype(np.int16), kind="stable")
    ends = np.concatenate([[0], np.cumsum(np.bincount(top + 1))])
    for bin_ in np.flatnonzero(np.diff(ends)).tolist():
        yield bin_ - 1, order[ends[bin_] : ends[bin_ + 1]]


class _Piles:
    """Where every ballot group sits. ``position`` indexes the flattened, padded ranks;
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
        # int32 indices where they fit: half the memory traffic in every gather.
        index = np.int32 if ranks.size < 2**31 else np.int64
        position = np.arange(len(ranks), dtype=index) * width + np.minimum(column, width - 1)
        piles = cls(
            flat=ranks.ravel(),
            rows_on=[[] for _ in range(n_projects)],
            position=position,
            tallies=sum_by_project(top, box.counts, n_projects),
            stop=np.ones(n_projects + 1, dtype=bool),
            weights=box.counts.astype(np.float64),
        )
        piles.file(np.arange(len(ranks), dtype=index), top)
        return piles

    @classmethod
    def replaying(cls, start: _Piles, moves: list[_Move], stop: np.ndarray) -> _Piles:
        """The full state after ``moves`` from ``start``, to count on from there."""
        position = start.position.copy()
        for move in moves:
            for chunks in move.landed.values():
                for rows, at in chunks:
                    position[rows] = at
        piles = cls(
            flat=start.flat,
            rows_on=[[] for _ in start.rows_on],
            position=position,
            tallies=None,
            stop=stop,
            weights=start.weights,
        )
        piles.file(np.arange(len(position), dtype=position.dtype), start.flat[position])
        return piles

    def move(self, project: int) -> _Move:
        """Take ``project`` out and send its ballots to their next continuing choice."""
        self.stop[project] = False
        pile, self.rows_on[project] = self.rows_on[project], []
        rows = np.concatenate(pile) if pile else np.zeros(0, dtype=self.position.dtype)
        position = self.position[rows]
        top = _advance(self.flat, position, self.stop)
        self.position[rows] = position
        landed: dict[int, _Chunks] = {}
        for to, at in _filed(top):
            landed[to] = [(rows[at], position[at])]
            if to >= 0:
                self.rows_on[to].append(landed[to][0][0])
        return _Move(project=project, landed=landed, sums=self.sums(rows, top))

    def file(self, rows: np.ndarray, top: np.ndarray) -> None:
        for project, at in _filed(top):
            if project >= 0:
                self.rows_on[project].append(rows[at])

    def sums(self, rows: np.ndarray, top: np.ndarray) -> np.ndarray:
        """Ballots per destination: ``[p + 1]`` went to project p, ``[0]`` exhausted."""
        sums = np.bincount(top + 1, weights=np.take(self.weights, rows), minlength=len(self.stop))
        return np.rint(sums).astype(np.int64)


@dataclass(frozen=True)
class _Previous:
    winner: int
    moves: list[_Move]
    # Ballots that sat on the previous runoff's winner, now out, by the project they sit
    # on: the only ones that can move differently in this runoff while its eliminations
    # follow the previous order.
    diverted: dict[int, _Chunks]


class _Runoff:
    """One IRV among the projects still continuing at ``start``. While it eliminates in
    the same order as the previous runoff, it replays that runoff's moves and works out
    only the diverted ballots; from the first difference on it counts in full."""

    def __init__(self, *, box: BallotBox, start: _Piles, previous: _Previous | None) -> None:
        self.box, self.start, self.previous = box, start, previous
        self.stop = start.stop.copy()
        self.moves: list[_Move] = []
        self.piles: _Piles | None = None

    def eliminate(self, project: int) -> _Move:
        self.stop[project] = False
        step = len(self.moves)
        previous = self.previous
        if (
            self.piles is None
            and previous is not None
            and step < len(previous.moves)
            and previous.moves[step].project == project
        ):
            move = self._replay(previous.moves[step], previous)
        else:
            if self.piles is None:
                self.piles = _Piles.replaying(self.start, self.moves, self.stop)
            move = self.piles.move(project)
        self.moves.append(move)
        return move

    def _replay(self, before: _Move, previous: _Previous) -> _Move:
        """``before`` again, but the ballots that went to the previous winner go on, and
        the diverted ones on this project move too; all other chunks stay as they were."""
        landed = {p: list(chunks) for p, chunks in before.landed.items() if p != previous.winner}
        sums = before.sums.copy()
        sums[previous.winner + 1] = 0
        chunks = before.landed.get(previous.winner, []) + previous.diverted.pop(before.project, [])
        if not chunks:
            return _Move(project=before.project, landed=landed, sums=sums)
        # concatenate copies, so _advance leaves the previous runoff's arrays alone.
        rows = np.concatenate([r for r, _ in chunks])
        position = np.concatenate([p for _, p in chunks])
        top = _advance(self.start.flat, position, self.stop)
        sums += self.start.sums(rows, top)
        for project, at in _filed(top):
            chunk = (rows[at], position[at])
            landed.setdefault(project, []).append(chunk)
            if project >= 0:
                previous.diverted.setdefault(project, []).append(chunk)
        return _Move(project=before.project, landed=landed, sums=sums)

    def run(self, *, stage: int, preference: Preference, outcome: MethodOutcome) -> tuple[int, int]:
        box = self.box
        n_projects = len(box.projects)
        tallies = self.start.tallies.copy()
        alive = [i for i in range(n_projects) if self.stop[i]]
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
            move = self.eliminate(loser)
            gained = move.sums[1:]
            tallies += gained
            tallies[loser] = 0
            moved = int(move.sums.sum())
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
