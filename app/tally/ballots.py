"""Ballots grouped and packed into arrays, ready to count.

The service passes ``Counter[(ranking, channel)]`` straight from a GROUP BY; a list of
``(ranking, channel)`` pairs is grouped here. Rankings are tuples of project ids, best
first; an empty ranking is a blank ballot (counted, never transferred).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import cast

import numpy as np

from app.tally.errors import TallyError
from app.tally.rules import Rules

UNSPECIFIED_CHANNEL = "unspecified"
# Counts go through float64 in np.bincount; below 2**53 every sum is exact.
_EXACT_LIMIT = 2**53

BallotInput = (
    Mapping[tuple[Sequence[str], str | None], int] | Iterable[tuple[Sequence[str], str | None]]
)


@dataclass(frozen=True, eq=False)
class BallotBox:
    """Grouped ballots. ``ranks[i, j]`` is the index (into ``projects``) ranked j+1 on
    ballot group i, -1 past the end of the ranking; ``counts[i]`` is how many ballots."""

    projects: tuple[str, ...]
    ranks: np.ndarray
    counts: np.ndarray
    by_channel: tuple[tuple[str, int], ...]
    total: int

    @property
    def blank(self) -> int:
        # All columns: points ballots may leave the first ones empty.
        return int(self.counts[(self.ranks < 0).all(axis=1)].sum()) if len(self.counts) else 0


def group_ballots(ballots: BallotInput, *, rules: Rules) -> BallotBox:
    """Group and check ballots against the rules; raise TallyError naming a bad ballot."""
    grouped = _as_counter(ballots)
    if not grouped:
        raise TallyError("there are no ballots to count")
    keys = list(grouped)
    counts = np.fromiter(grouped.values(), dtype=np.int64, count=len(keys))
    if counts.min() < 1:
        raise TallyError("every ballot group must count at least one ballot")
    rankings = list(map(itemgetter(0), keys))
    channels = [UNSPECIFIED_CHANNEL if c is None else c for c in map(itemgetter(1), keys)]
    ranks = _pack_rankings(rankings, rules=rules)
    total = int(counts.sum())
    if total * max(rules.rank_points()) >= _EXACT_LIMIT:
        raise TallyError("too many ballots to count exactly")
    return BallotBox(
        projects=rules.project_ids,
        ranks=ranks,
        counts=counts,
        by_channel=_channel_totals(channels, counts),
        total=total,
    )


def check_box(box: BallotBox, rules: Rules) -> None:
    """A box grouped elsewhere (e.g. read from a .pb file) must fit these rules."""
    if box.projects != rules.project_ids:
        raise TallyError("the ballots were read for other projects than the rules name")
    if box.ranks.shape[1] != rules.ballot_size:
        raise TallyError(
            f"the ballots have {box.ranks.shape[1]} ranks; the rules say {rules.ballot_size}"
        )
    if not box.total:
        raise TallyError("there are no ballots to count")
    if box.total * max(rules.rank_points()) >= _EXACT_LIMIT:
        raise TallyError("too many ballots to count exactly")


def _as_counter(ballots: BallotInput) -> Mapping[tuple[tuple[str, ...], str | None], int]:
    if isinstance(ballots, Mapping):
        for key in ballots:
            _check_key(key)
            break
        return cast(Mapping[tuple[tuple[str, ...], str | None], int], ballots)
    counter: Counter[tuple[tuple[str, ...], str | None]] = Counter()
    for ballot in ballots:
        _check_key(ballot)
        counter[(tuple(ballot[0]), ballot[1])] += 1
    return counter


def _check_key(key: object) -> None:
    if not (
        isinstance(key, tuple)
        and len(key) == 2
        and isinstance(key[0], tuple | list)
        and (key[1] is None or isinstance(key[1], str))
    ):
        raise TallyError(
            f"a ballot must be (ranking, channel) with ranking a tuple of project ids and "
            f"channel a string or None, got {key!r}"
        )


def _pack_rankings(rankings: list[Sequence[str]], *, rules: Rules) -> np.ndarray:
    lengths = np.fromiter(map(len, rankings), dtype=np.int64, count=len(rankings))
    if lengths.max() > rules.ballot_size:
        bad = rankings[int(np.argmax(lengths))]
        raise TallyError(
            f"ballot {list(bad)} ranks {len(bad)} projects; at most {rules.ballot_size} allowed"
        )
    index = {project: i for i, project in enumerate(rules.project_ids)}
    n_marks = int(lengths.sum())
    try:
        codes = np.fromiter(
            map(index.__getitem__, chain.from_iterable(rankings)), dtype=np.int32, count=n_marks
        )
    except (KeyError, TypeError) as exc:
        marks = chain.from_iterable(rankings)
        unknown = next(p for p in marks if not isinstance(p, str) or p not in index)
        raise TallyError(
            f"a ballot ranks project {unknown!r}, which has no cost in the rules"
        ) from exc
    ranks = np.full((len(rankings), rules.ballot_size), -1, dtype=np.int32)
    rows = np.repeat(np.arange(len(rankings)), lengths)
    starts = np.cumsum(lengths) - lengths
    cols = np.arange(n_marks) - np.repeat(starts, lengths)
    ranks[rows, cols] = codes
    _check_duplicates(ranks, rankings)
    return ranks


def _check_duplicates(ranks: np.ndarray, rankings: list[Sequence[str]]) -> None:
    ordered = np.sort(ranks, axis=1)
    repeated = (ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)
    if repeated.any():
        bad = rankings[int(np.flatnonzero(repeated.any(axis=1))[0])]
        raise TallyError(f"ballot {list(bad)} ranks the same project more than once")


def _channel_totals(channels: list[str], counts: np.ndarray) -> tuple[tuple[str, int], ...]:
    names = sorted(set(channels))
    code = {name: i for i, name in enumerate(names)}
    codes = np.fromiter(map(code.__getitem__, channels), dtype=np.int64, count=len(channels))
    totals = np.bincount(codes, weights=counts, minlength=len(names))
    return tuple((name, int(round(totals[i]))) for i, name in enumerate(names))
