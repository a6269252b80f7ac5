"""The VOTES section of a .pb file read with numpy, for a million ballots in about a second.

Python never splits the common line: delimiters are found with array comparisons, and
project ids are matched by their bytes packed into one integer (ids up to 7 bytes), or by
a hash verified byte by byte (longer ids), so the match is exact. A line the fast path
cannot vouch for (wrong field count, spaces, empty or unknown ids, a repeated project)
goes to ``vote_row``, the strict check the csv path uses, in file order: the first bad
line is named exactly as before. The section is read in chunks of lines, so memory stays
bounded. Returns None when the section needs the csv module (quotes, lone carriage
returns, another section after VOTES, a hash collision), and the caller reads it so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_NL, _SEMI, _COMMA, _SPACE, _TAB = 10, 59, 44, 32, 9
_MULTIPLIER = np.uint64(0x100000001B3)
_PACKED = 7  # ids of up to 7 bytes pack exactly into an int64 with their length
_CHUNK = 1 << 22
_SECTION = re.compile(r"\s*(meta|projects|votes)\s*", re.IGNORECASE)

# (fields of one line, its line number) -> (ranking, channel); raises on a bad line.
VoteRow = Callable[[list[str], int], tuple[tuple[str, ...], str | None]]


class NeedsCsv(Exception):
    """The section has something only the csv module reads as the old reader did."""


@dataclass(frozen=True, kw_only=True)
class Votes:
    """One row per ballot (ungrouped); ``ranks`` index into the sorted project ids, -1
    padded; ``channel_of_row`` indexes ``channels`` (None: no voting_method given)."""

    ranks: np.ndarray
    channels: list[str | None]
    channel_of_row: np.ndarray


@dataclass(frozen=True, kw_only=True)
class Layout:
    first_line: int
    vote_col: int
    channel_col: int | None
    n_fields: int
    vote_row: VoteRow


@dataclass(frozen=True)
class _Ids:
    keys: np.ndarray  # sorted
    order: np.ndarray  # project index of each sorted key
    table: np.ndarray | None  # (projects, longest) bytes for verifying hashes; None: packed
    lengths: np.ndarray
    index: dict[str, int]


def read_votes(
    raw: bytes, offset: int, *, layout: Layout, projects: tuple[str, ...]
) -> Votes | None:
    """The data lines in ``raw`` from ``offset`` on (not copied), the first of them being
    line ``layout.first_line``."""
    if raw.find(b'"', offset) >= 0:
        return None
    if raw.find(b"\r", offset) >= 0:
        raw, offset = raw[offset:].replace(b"\r\n", b"\n"), 0
        if b"\r" in raw:
            return None
    ids = _ids(projects)
    if ids is None:
        return None
    rows: list[tuple[np.ndarray, np.ndarray]] = []
    channels: dict[str | None, int] = {}
    line, start = layout.first_line, offset
    try:
        while start < len(raw):
            end = raw.find(b"\n", start + _CHUNK)
            end = len(raw) if end < 0 else end + 1
            chunk = np.zeros(end - start + 8, dtype=np.uint8)  # 8 spare bytes for _keys
            chunk[:-8] = np.frombuffer(raw, np.uint8, count=end - start, offset=start)
            ranks, names, codes = _read_chunk(chunk, line, layout, ids)
            to_global = [channels.setdefault(name, len(channels)) for name in names]
            rows.append((ranks, np.array(to_global, dtype=np.int64)[codes]))
            line += raw.count(b"\n", start, end)
            start = end
    except NeedsCsv:
        return None
    return _stack(rows, list(channels))


def _read_chunk(arr: np.ndarray, first_line: int, layout: Layout, ids: _Ids):
    """(ranks, channel names, channel code per row) for one chunk of whole lines;
    ``arr`` ends with 8 spare zero bytes."""
    data = arr[:-8]
    ends = np.flatnonzero(data == _NL)
    if len(data) and data[-1] != _NL:
        ends = np.append(ends, len(data))
    starts = np.concatenate(([0], ends[:-1] + 1)) if len(ends) else ends
    semi = np.flatnonzero(data == _SEMI)
    space = np.flatnonzero((data == _SPACE) | (data == _TAB))
    first_semi = np.searchsorted(semi, starts)
    n_semi = np.searchsorted(semi, ends) - first_semi
    blank = ends - starts == n_semi + _count_in(space, starts, ends)
    odd = ~blank & (n_semi != layout.n_fields - 1)
    good = np.flatnonzero(~blank & ~odd)
    field = _Fields(semi, first_semi[good], starts[good], ends[good], layout.n_fields)
    vote = field.at(layout.vote_col)
    ranks, bad = _rankings(arr, vote, ids)
    bad |= _count_in(space, *vote) > 0
    if layout.channel_col is None:
        names: list[str | None] = [None]
        codes = np.zeros(len(good), dtype=np.int64)
    else:
        channel = field.at(layout.channel_col)
        bad |= _count_in(space, *channel) > 0
        names, codes = _group_strings(arr, *channel)
    odd[good[bad]] = True
    extra = _odd_lines(arr, starts, ends, np.flatnonzero(odd), first_line, layout.vote_row)
    keep = ~bad
    return _append(ranks[keep], codes[keep], names, extra, ids)


def _count_in(positions: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    return np.searchsorted(positions, ends) - np.searchsorted(positions, starts)


@dataclass(frozen=True)
class _Fields:
    """Where each field lies on lines with the right number of fields."""

    semi: np.ndarray
    first_semi: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    n_fields: int

    def at(self, col: int) -> tuple[np.ndarray, np.ndarray]:
        begin = self.starts if col == 0 else self.semi[self.first_semi + col - 1] + 1
        end = self.ends if col == self.n_fields - 1 else self.semi[self.first_semi + col]
        return begin, end


def _ids(projects: tuple[str, ...]) -> _Ids | None:
    encoded = [p.encode() for p in projects]
    longest = max(map(len, encoded))
    table = np.zeros((len(encoded), longest), dtype=np.uint8)
    for i, raw in enumerate(encoded):
        table[i, : len(raw)] = np.frombuffer(raw, np.uint8)
    lengths = np.array([len(raw) for raw in encoded], dtype=np.int64)
    flat = np.concatenate((table.ravel(), np.zeros(8, dtype=np.uint8)))
    keys = _keys(flat, np.arange(len(encoded)) * longest, lengths, longest)
    order = np.argsort(keys, kind="stable")
    if len(np.unique(keys)) != len(keys):
        return None
    exact = longest <= _PACKED
    return _Ids(
        keys=keys[order],
        order=order,
        table=None if exact else table,
        lengths=lengths,
        index={p: i for i, p in enumerate(projects)},
    )


def _keys(arr: np.ndarray, starts: np.ndarray, lengths: np.ndarray, width: int) -> np.ndarray:
    """One integer per byte string: packed with its length when ``width`` allows (exact),
    else an FNV-style hash (byte + 1, so the length is part of it) to be verified."""
    if width <= _PACKED:
        # The 8 bytes from each start as one little-endian word (arr is padded by 8),
        # cut to the string's length.
        words = np.ndarray(shape=(len(arr) - 7,), dtype="<u8", buffer=arr, strides=(1,))
        masks = (np.uint64(1) << (np.arange(_PACKED + 1, dtype=np.uint64) * np.uint64(8))) - 1
        key = words[starts] & masks[lengths]
        return (key | (lengths.astype(np.uint64) << np.uint64(8 * _PACKED))).view(np.int64)
    last = len(arr) - 1
    h = np.zeros(len(starts), dtype=np.uint64)
    for j in range(width):
        byte = arr[np.minimum(starts + j, last)].astype(np.uint64) + np.uint64(1)
        h = h * _MULTIPLIER + np.where(j < lengths, byte, np.uint64(0))
    return h.view(np.int64)


def _rankings(arr, vote, ids: _Ids) -> tuple[np.ndarray, np.ndarray]:
    """Project indices per line, and which lines need the strict check."""
    begin, end = vote
    comma = np.flatnonzero(arr == _COMMA)
    first, last = np.searchsorted(comma, begin), np.searchsorted(comma, end)
    per_line = np.where(end > begin, last - first + 1, 0)
    offsets = np.cumsum(per_line) - per_line
    total = int(per_line.sum())
    is_first = np.zeros(total, dtype=bool)
    is_first[offsets[per_line > 0]] = True
    is_last = np.zeros(total, dtype=bool)
    is_last[(offsets + per_line - 1)[per_line > 0]] = True
    inside = comma[_concat_ranges(first, last)]
    starts = np.empty(total, dtype=np.int64)
    starts[is_first], starts[~is_first] = begin[per_line > 0], inside + 1
    ends = np.empty(total, dtype=np.int64)
    ends[is_last], ends[~is_last] = end[per_line > 0], inside
    row = np.repeat(np.arange(len(begin)), per_line)
    project, match = _match(arr, starts, ends - starts, ids)
    bad = np.zeros(len(begin), dtype=bool)
    bad[row[~match]] = True
    width = max(int(per_line.max()) if len(per_line) else 0, 1)
    ranks = np.full((len(begin), width), -1, dtype=np.int32)
    ranks[row, np.arange(total) - np.repeat(offsets, per_line)] = project
    ordered = np.sort(ranks, axis=1)
    bad |= ((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)).any(axis=1)
    return ranks, bad


def _match(arr, starts, lengths, ids: _Ids) -> tuple[np.ndarray, np.ndarray]:
    longest = ids.lengths.max()
    fits = lengths <= longest
    keys = _keys(arr, starts, np.where(fits, lengths, 0), int(longest))
    at = np.minimum(np.searchsorted(ids.keys, keys), len(ids.keys) - 1)
    project = ids.order[at]
    match = fits & (ids.keys[at] == keys) & (lengths > 0)
    if ids.table is not None:  # a hash: check the bytes
        match &= lengths == ids.lengths[project]
        for j in range(int(longest)):
            byte = arr[np.minimum(starts + j, len(arr) - 1)]
            match &= (j >= lengths) | (byte == ids.table[project, j])
    return project, match


def _concat_ranges(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Concatenation of range(first[i], last[i]) for every i."""
    sizes = last - first
    total = int(sizes.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    return np.arange(total) + np.repeat(first - (np.cumsum(sizes) - sizes), sizes)


def _group_strings(arr, begin, end) -> tuple[list[str | None], np.ndarray]:
    """The distinct strings (None for empty), and the code of each line's."""
    lengths = end - begin
    width = int(lengths.max()) if len(lengths) else 0
    keys = _keys(arr, begin, lengths, width)
    _, first, code = np.unique(keys, return_index=True, return_inverse=True)
    code = code.ravel()
    if width > _PACKED:  # a hash: every line must hold the same bytes as its first
        same = lengths == lengths[first][code]
        for j in range(width):
            here = arr[np.minimum(begin + j, len(arr) - 1)]
            there = arr[np.minimum(begin[first][code] + j, len(arr) - 1)]
            same &= (j >= lengths) | (here == there)
        if not same.all():
            raise NeedsCsv
    names = [arr[begin[i] : end[i]].tobytes().decode() or None for i in first.tolist()]
    return names, code.astype(np.int64)


def _odd_lines(arr, starts, ends, odd, first_line: int, vote_row: VoteRow) -> list:
    """The strict check, in file order, for lines the fast path could not vouch for."""
    out = []
    for i in odd.tolist():
        text = arr[starts[i] : ends[i]].tobytes().decode()
        if _SECTION.fullmatch(text):
            raise NeedsCsv  # a section after VOTES: the csv path reads files in any order
        row = text.split(";")
        if all(not cell.strip() for cell in row):
            continue
        out.append(vote_row(row, first_line + i))
    return out


def _append(ranks, codes, names: list[str | None], extra: list, ids: _Ids):
    """Add the rows of the lines that passed the strict check."""
    if not extra:
        return ranks, names, codes
    code = {name: i for i, name in enumerate(names)}
    width = max(ranks.shape[1], *(len(r) for r, _ in extra))
    rows = np.full((len(ranks) + len(extra), width), -1, dtype=np.int32)
    rows[: len(ranks), : ranks.shape[1]] = ranks
    for row, (ranking, _) in enumerate(extra, start=len(ranks)):
        rows[row, : len(ranking)] = [ids.index[p] for p in ranking]
    more = np.array([code.setdefault(c, len(code)) for _, c in extra], dtype=np.int64)
    return rows, list(code), np.concatenate((codes, more))


def _stack(rows, channels: list[str | None]) -> Votes:
    width = max((r.shape[1] for r, _ in rows), default=1)
    ranks = np.full((sum(len(r) for r, _ in rows), width), -1, dtype=np.int32)
    at = 0
    for part, _ in rows:
        ranks[at : at + len(part), : part.shape[1]] = part
        at += len(part)
    codes = np.concatenate([c for _, c in rows]) if rows else np.zeros(0, dtype=np.int64)
    return Votes(ranks=ranks, channels=channels, channel_of_row=codes)
