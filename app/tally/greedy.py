"""Borda and approval: score every project, order by score, fund greedily."""

from __future__ import annotations

import numpy as np

from app.tally.ballots import BallotBox
from app.tally.outcome import MethodOutcome, Preference
from app.tally.result import TieBreakUse


def score_projects(*, box: BallotBox, points: tuple[int, ...]) -> np.ndarray:
    """Points per project: ``points[j]`` for each ballot ranking it (j+1)-th."""
    n_projects = len(box.projects)
    scores = np.zeros(n_projects, dtype=np.int64)
    for column, value in enumerate(points):
        ranked = box.ranks[:, column]
        present = ranked >= 0
        per_project = np.bincount(ranked[present], weights=box.counts[present], minlength=n_projects)
        # float64 sums of whole numbers below 2**53 are exact (group_ballots checks the bound).
        scores += np.rint(per_project).astype(np.int64) * value
    return scores


def order_by_score(*, scores: np.ndarray, preference: Preference) -> tuple[list[int], list[TieBreakUse]]:
    order = sorted(range(len(scores)), key=lambda i: (-int(scores[i]), int(preference.rank[i])))
    uses: list[TieBreakUse] = []
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        if end > start:
            tied = tuple(order[start : end + 1])
            uses.append(_order_use(tied, preference))
        start = end + 1
    return order, uses


def _order_use(tied: tuple[int, ...], preference: Preference) -> TieBreakUse:
    names = preference.names(tied)
    return TieBreakUse(stage=1, round=0, decision="order", tied=names, chosen=names[0])


def count_greedy(*, box: BallotBox, points: tuple[int, ...], preference: Preference) -> MethodOutcome:
    scores = score_projects(box=box, points=points)
    order, uses = order_by_score(scores=scores, preference=preference)
    return MethodOutcome(
        order=order,
        fundable=order,
        scores={i: int(scores[i]) for i in range(len(scores))},
        tie_breaks=uses,
    )
