"""Where each ballot group currently sits in a ranked count (shared by irv and stv)."""

from __future__ import annotations

import numpy as np


def first_continuing(
    ranks: np.ndarray, *, continuing: np.ndarray, after: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the first ranked project still continuing at a position > ``after``.

    ``continuing`` has one extra trailing False so that the -1 padding reads as "not
    continuing". Returns (project index or -1 when exhausted, its column).
    """
    rows, width = ranks.shape
    top = np.full(rows, -1, dtype=np.int32)
    column = np.full(rows, width, dtype=np.int32)
    for j in range(width - 1, -1, -1):
        ok = continuing[ranks[:, j]]
        if after is not None:
            ok &= j > after
        top = np.where(ok, ranks[:, j], top)
        column = np.where(ok, j, column)
    return top, column


def continuing_mask(n_projects: int, out: set[int] | frozenset[int] = frozenset()) -> np.ndarray:
    mask = np.ones(n_projects + 1, dtype=bool)
    mask[-1] = False
    for index in out:
        mask[index] = False
    return mask


def sum_by_project(projects: np.ndarray, counts: np.ndarray, n_projects: int) -> np.ndarray:
    """Ballots per project index (rows with -1 are skipped), exact as int64."""
    # Shift by one so the -1 (exhausted) entries land in a bin that is then dropped.
    sums = np.bincount(projects + 1, weights=counts, minlength=n_projects + 1)[1:]
    return np.rint(sums).astype(np.int64)


def padded(ranks: np.ndarray) -> np.ndarray:
    """``ranks`` with one more -1 column, so a ballot always ends inside the array."""
    return np.hstack([ranks, np.full((len(ranks), 1), -1, dtype=ranks.dtype)])


def advance(
    ranks: np.ndarray, rows: np.ndarray, column: np.ndarray, continuing: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Next continuing choice after ``column[rows]`` for each of ``rows`` (-1: exhausted).

    ``ranks`` must be ``padded``. Most ballots find it one column on, so only the rest are
    looked at again: far cheaper than rescanning every column."""
    width = ranks.shape[1]
    flat = ranks.ravel()
    # stop[c]: the scan stops at c; the -1 padding (last entry) always stops it.
    stop = continuing.copy()
    stop[-1] = True
    start = rows * width
    position = start + column[rows] + 1
    choice = flat[position]
    pending = np.flatnonzero(~stop[choice])
    while pending.size:
        position[pending] += 1
        choice[pending] = flat[position[pending]]
        pending = pending[~stop[choice[pending]]]
    return choice, (position - start).astype(column.dtype)
