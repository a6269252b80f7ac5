"""Which projects a count may fund at all: enough support (``rules.min_support``) and, by
default, a cost above zero (``rules.zero_cost``)."""

from __future__ import annotations

from dataclasses import dataclass

from app.tally.ballots import BallotBox
from app.tally.greedy import score_projects
from app.tally.result import json_number
from app.tally.rules import SUPPORT_METHODS, Rules


@dataclass(frozen=True, kw_only=True)
class Barred:
    """Project indices left out of the funding, and why."""

    below_support: tuple[int, ...]
    zero_cost: tuple[int, ...]

    @property
    def all(self) -> frozenset[int]:
        return frozenset(self.below_support) | frozenset(self.zero_cost)

    def notes(self, box: BallotBox, rules: Rules) -> list[str]:
        notes = []
        if self.below_support:
            threshold = rules.min_support.threshold(box.total)
            names = ", ".join(box.projects[i] for i in self.below_support)
            notes.append(
                f"minimum support {rules.min_support.label()} (at least "
                f"{json_number(threshold)} {rules.min_support.kind}): not funded, below it: "
                f"{names}"
            )
        if self.zero_cost:
            names = ", ".join(box.projects[i] for i in self.zero_cost)
            notes.append(
                f"cost 0: {names} never funded (--zero-cost fund funds a project that costs "
                "nothing like any other)"
            )
        return notes


def barred(*, box: BallotBox, rules: Rules) -> Barred:
    costs = [rules.costs[p] for p in box.projects]
    zero = tuple(i for i, c in enumerate(costs) if c == 0) if rules.zero_cost == "skip" else ()
    if rules.method not in SUPPORT_METHODS:
        return Barred(below_support=(), zero_cost=zero)
    support = support_of(box=box, rules=rules)
    threshold = rules.min_support.threshold(box.total)
    low = tuple(i for i in range(len(costs)) if int(support[i]) < threshold)
    return Barred(below_support=low, zero_cost=zero)


def support_of(*, box: BallotBox, rules: Rules):
    """Per project: the ballots naming it (votes), or the method's points."""
    width = box.ranks.shape[1]
    by_vote = rules.min_support.kind == "votes"
    if by_vote or rules.method == "approval" or rules.ballot_kind == "approval":
        return score_projects(box=box, points=(1,) * width)
    return score_projects(box=box, points=rules.rank_points())
