"""What each method hands back to the engine before funding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from app.tally.result import Number, Round, TieBreakUse


@dataclass(frozen=True, kw_only=True)
class Preference:
    """The tie-break order as array ranks: ``rank[i]`` is 0 for the most preferred project."""

    projects: tuple[str, ...]
    order: tuple[str, ...]
    rank: np.ndarray

    @classmethod
    def build(cls, *, projects: Sequence[str], order: Sequence[str]) -> Preference:
        position = {p: i for i, p in enumerate(order)}
        rank = np.array([position[p] for p in projects], dtype=np.int64)
        return cls(projects=tuple(projects), order=tuple(order), rank=rank)

    def names(self, indices) -> tuple[str, ...]:
        return tuple(self.projects[i] for i in indices)

    def by_preference(self, indices) -> list[int]:
        return sorted(indices, key=lambda i: self.rank[i])

    def best(self, candidates: Sequence[int]) -> int:
        return min(candidates, key=lambda i: self.rank[i])

    def worst(self, candidates: Sequence[int]) -> int:
        return max(candidates, key=lambda i: self.rank[i])


@dataclass(kw_only=True)
class MethodOutcome:
    """``order``: project indices in the method's order; ``fundable``: the prefix (or set)
    funding walks down, in order; ``scores``: per project index, shown with the result."""

    order: list[int]
    fundable: list[int]
    scores: dict[int, Number]
    rounds: list[Round] = field(default_factory=list)
    tie_breaks: list[TieBreakUse] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
