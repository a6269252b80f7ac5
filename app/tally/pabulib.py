"""Read a pabulib ``.pb`` file: META, PROJECTS and VOTES sections, ``;``-separated.

META and PROJECTS go through the csv module; VOTES through ``pabulib_votes`` (numpy) when
it has no quotes, else through the csv module too. Both check every line the same way.

Money is read exactly: ``budget;776314.03`` and a cost of ``1250.5`` become whole numbers of
the smallest unit the file writes (here hundredths), never floats; ``money_unit`` says how
many of them make one unit of the file's currency. A project may cost 0 (the count decides
what to do with it). A vote naming the same project twice is counted once, with a warning
naming the line; ``strict=True`` refuses the file instead.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from app.tally.ballots import UNSPECIFIED_CHANNEL, BallotBox
from app.tally.errors import TallyError
from app.tally.pabulib_votes import Layout, VoteRow, Votes, read_votes

SECTIONS = ("meta", "projects", "votes")
VOTE_TYPES = ("ordinal", "approval", "choose-1", "cumulative", "scoring")
POINTS_TYPES = ("cumulative", "scoring")  # a points column gives each voted project its points


class PabulibError(TallyError):
    """A malformed file; the message names the file and line."""


@dataclass(frozen=True, kw_only=True)
class PabulibElection:
    meta: dict[str, str]
    costs: dict[str, int]
    budget: int
    vote_type: str
    ballot_size: int
    box: BallotBox  # identical rankings grouped; projects in sorted order, as Rules has them
    official_selected: tuple[str, ...]  # projects marked selected=1, in file order
    exclusive: tuple[tuple[str, ...], ...] = ()  # META exclusive: "12,40|7,9"
    column_points: tuple[int, ...] | None = None  # cumulative, scoring: points by box column
    # ``budget`` and ``costs`` are the file's amounts times ``money_scale`` (10 ** the most
    # decimals written); ``money_unit`` of them make one unit of the currency (times 100
    # more when META says cost_unit;cent, as pbvote writes amounts with cents).
    money_scale: int = 1
    money_unit: int = 1
    # What was read leniently, one line each (a vote naming a project twice).
    warnings: tuple[str, ...] = ()

    @property
    def ballots(self) -> Counter:
        """Counter[(ranking, None)], for counts that take rankings (pyrankvote, pabutools)."""
        names = self.box.projects
        return Counter(
            {
                (tuple(names[i] for i in row if i >= 0), None): int(n)
                for row, n in zip(self.box.ranks.tolist(), self.box.counts.tolist(), strict=True)
            }
        )


def read_pabulib(path: str | Path, *, strict: bool = False) -> PabulibElection:
    """``strict``: refuse a vote that names a project twice (else: counted once, warned)."""
    path = Path(path)
    raw = _read_bytes(path)
    return _read(path, raw, _split_off_votes(raw), strict=strict)


def _read(
    path: Path, raw: bytes, fast: tuple[str, int, int] | None, *, strict: bool = False
) -> PabulibElection:
    """``fast``: the file split before its VOTES section (see _split_off_votes), or None
    to read every section with the csv module."""
    text = raw.decode("utf-8-sig") if fast is None else fast[0]
    try:
        sections = _read_sections(csv.reader(io.StringIO(text, newline=""), delimiter=";"), path)
    except csv.Error as exc:
        raise PabulibError(f"{path}: not a pabulib file: {exc}") from exc
    if fast is not None:
        sections["votes"] = ([], [])
    for name in SECTIONS:
        if name not in sections:
            raise PabulibError(f"{path}: no {name.upper()} section")
    meta, meta_line = _meta(sections["meta"], path)
    prices, selected = _projects(sections["projects"], path)
    budget = _money(meta["budget"], "budget", path, meta_line["budget"], least="positive")
    column_points = None
    warnings: list[str] = []
    vote_row = _vote_row(prices, path, strict=strict, warnings=warnings)
    if fast is not None and meta["vote_type"] in POINTS_TYPES:
        return _read(path, raw, None, strict=strict)  # points files are small: csv reads them
    if fast is None and meta["vote_type"] in POINTS_TYPES:
        votes, column_points = _points_votes(sections["votes"], vote_row, prices, path)
    elif fast is None:
        votes = _votes(sections["votes"], vote_row, prices, path)
    else:
        read_fast = _fast_votes(raw, fast[1], fast[2], vote_row, prices, path)
        if read_fast is None:  # the VOTES section needs the csv module after all
            return _read(path, raw, None, strict=strict)
        votes = read_fast
    max_length = int(meta.get("max_length") or 0)
    width = len(column_points) if column_points else max(_longest(votes), max_length, 1)
    if column_points == ():  # points ballots, every one empty: one column nobody fills
        column_points = (1,) * width
    if meta["vote_type"] == "choose-1" and _longest(votes) > 1:
        raise PabulibError(f"{path}: vote_type choose-1, but some vote names several projects")
    # Whole numbers of the smallest decimal unit any amount is written in (0.01: hundredths).
    scale = _decimal_scale([budget, *prices.values()])
    costs = {p: int(c * scale) for p, c in prices.items()}
    per_unit = 100 if meta.get("cost_unit", "").lower() in ("cent", "cents") else 1
    return PabulibElection(
        meta=meta,
        costs=costs,
        budget=int(budget * scale),
        money_scale=scale,
        money_unit=scale * per_unit,
        warnings=tuple(warnings),
        vote_type=meta["vote_type"],
        box=_box(votes, tuple(sorted(costs)), width),
        official_selected=selected,
        ballot_size=width,
        exclusive=_exclusive(meta.get("exclusive", ""), costs, path, meta_line.get("exclusive")),
        column_points=column_points,
    )


def _exclusive(text: str, costs, path: Path, line: int | None) -> tuple[tuple[str, ...], ...]:
    """META ``exclusive``: groups separated by ``|``, project ids in a group by commas."""
    groups = tuple(
        tuple(p.strip() for p in group.split(",") if p.strip()) for group in text.split("|")
    )
    groups = tuple(group for group in groups if group)
    for group in groups:
        unknown = [p for p in group if p not in costs]
        if len(group) < 2 or unknown:
            raise PabulibError(
                f"{path}:{line}: exclusive group {','.join(group)!r} needs two or more "
                "projects from PROJECTS"
            )
    return groups


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
        raw.decode("utf-8")
    except OSError as exc:
        raise PabulibError(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise PabulibError(f"{path}: not a UTF-8 pabulib file: {exc}") from exc
    return raw


_VOTES_LINE = re.compile(rb"^[ \t]*votes[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_SECTION_LINE = re.compile(rb"^[ \t]*(meta|projects|votes)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


def _split_off_votes(raw: bytes) -> tuple[str, int, int] | None:
    """(text before VOTES, where the section starts after its marker line, the number of
    that line),
    when META and PROJECTS come first; None sends the whole file through csv. (A section
    after VOTES is caught while reading it.)"""
    marker = _VOTES_LINE.search(raw)
    if marker is None:
        return None
    head = raw[: marker.start()]
    if {m.group(1).lower() for m in _SECTION_LINE.finditer(head)} != {b"meta", b"projects"}:
        return None
    newline = raw.find(b"\n", marker.end())
    start = len(raw) if newline < 0 else newline + 1
    return head.decode("utf-8-sig"), start, head.count(b"\n") + 2


def _meta(section, path: Path) -> tuple[dict[str, str], dict[str, int]]:
    meta = {row[0].strip(): row[1].strip() if len(row) > 1 else "" for _, row in section[1]}
    meta_line = {row[0].strip(): line for line, row in section[1]}
    for key in ("vote_type", "budget"):
        if key not in meta:
            raise PabulibError(f"{path}: the META section has no {key}")
    vote_type = meta["vote_type"]
    if vote_type not in VOTE_TYPES:
        raise PabulibError(
            f"{path}:{meta_line['vote_type']}: vote_type {vote_type!r} is not supported; "
            f"use one of {', '.join(VOTE_TYPES)}"
        )
    max_length = meta.get("max_length", "")
    if max_length and not (max_length.isascii() and max_length.isdigit()):
        raise PabulibError(
            f"{path}:{meta_line['max_length']}: max_length {max_length!r} is not a number"
        )
    return meta, meta_line


def _read_sections(reader, path: Path) -> dict[str, tuple[list[str], list]]:
    sections: dict[str, tuple[list[str], list]] = {}
    current = None
    for row in reader:
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) == 1 and row[0].strip().lower() in SECTIONS:
            current = row[0].strip().lower()
            sections[current] = ([], [])
            continue
        if current is None:
            raise PabulibError(f"{path}:{reader.line_num}: expected META, PROJECTS or VOTES first")
        header, rows = sections[current]
        if not header:
            header.extend(cell.strip() for cell in row)
        else:
            # VOTES lines are checked by _vote_row, in file order with everything else.
            if len(row) != len(header) and current != "votes":
                raise PabulibError(
                    f"{path}:{reader.line_num}: {len(row)} fields, but the {current.upper()} "
                    f"header has {len(header)}"
                )
            rows.append((reader.line_num, row))
    return sections


def _column(header: list[str], name: str, section: str, path: Path) -> int:
    if name not in header:
        raise PabulibError(f"{path}: the {section} header has no {name!r} column")
    return header.index(name)


_MONEY = re.compile(r"-?\d+(\.\d*)?")


def _money(text: str, what: str, path: Path, line: int | None, *, least: str) -> Fraction:
    """A whole or decimal amount (``776314.03``), exactly; ``least``: "positive" (> 0) or
    "zero" (>= 0)."""
    where = f"{path}:{line}" if line else str(path)
    if not (text.isascii() and _MONEY.fullmatch(text)):
        raise PabulibError(f"{where}: {what} {text!r} is not a number (such as 1200 or 1200.50)")
    value = Fraction(text)
    if value < 0 or (value == 0 and least == "positive"):
        bound = "a positive amount" if least == "positive" else "0 or more"
        raise PabulibError(f"{where}: {what} {text!r} must be {bound}")
    return value


def _decimal_scale(amounts: list[Fraction]) -> int:
    """The least power of ten that makes every amount whole."""
    scale = 1
    while any((amount * scale).denominator != 1 for amount in amounts):
        scale *= 10
    return scale


def _projects(section, path: Path) -> tuple[dict[str, Fraction], tuple[str, ...]]:
    header, rows = section
    id_col = _column(header, "project_id", "PROJECTS", path)
    cost_col = _column(header, "cost", "PROJECTS", path)
    sel_col = header.index("selected") if "selected" in header else None
    costs: dict[str, Fraction] = {}
    selected = []
    for line, row in rows:
        project = row[id_col].strip()
        if not project or project in costs:
            raise PabulibError(f"{path}:{line}: project id {project!r} is empty or repeated")
        costs[project] = _money(
            row[cost_col].strip(), f"cost of project {project}", path, line, least="zero"
        )
        if sel_col is not None and row[sel_col].strip() == "1":
            selected.append(project)
    return costs, tuple(selected)


# (VOTES header) -> the check of one line, as pabulib_votes calls it.
RowCheck = Callable[[list[str]], VoteRow]


def _vote_row(costs, path: Path, *, strict: bool, warnings: list[str]) -> RowCheck:
    """The check of a VOTES line, for a header. A project named twice: refused when
    ``strict``, else kept once (where first named) and a warning naming the line."""

    def for_header(header: list[str]) -> VoteRow:
        vote_col = _column(header, "vote", "VOTES", path)
        channel_col = header.index("voting_method") if "voting_method" in header else None

        def vote_row(row: list[str], line: int) -> tuple[tuple[str, ...], str | None]:
            if len(row) != len(header):
                raise PabulibError(
                    f"{path}:{line}: {len(row)} fields, but the VOTES header has {len(header)}"
                )
            named = tuple(p.strip() for p in row[vote_col].split(",") if p.strip())
            for project in named:
                if project not in costs:
                    raise PabulibError(
                        f"{path}:{line}: vote names project {project!r}, not in PROJECTS"
                    )
            ranking = tuple(dict.fromkeys(named))
            if len(ranking) != len(named):
                twice = sorted(p for p, n in Counter(named).items() if n > 1)
                if strict:
                    raise PabulibError(f"{path}:{line}: vote lists a project twice")
                warnings.append(
                    f"{path.name}:{line}: vote names {', '.join(twice)} more than once; "
                    "counted once"
                )
            channel = row[channel_col].strip() or None if channel_col is not None else None
            return ranking, channel

        return vote_row

    return for_header


def _votes(section, check: RowCheck, costs, path: Path) -> Votes:
    header, rows = section
    if not header:
        raise PabulibError(f"{path}: the VOTES header has no 'vote' column")
    vote_row = check(header)
    return _as_votes([vote_row(row, line) for line, row in rows], tuple(sorted(costs)))


def _points_votes(section, check: RowCheck, costs, path: Path) -> tuple[Votes, tuple[int, ...]]:
    """Cumulative and scoring ballots, laid out so that every column carries one number of
    points: column (v, k) holds the k-th project a ballot gives v points, columns in
    decreasing v. Counting then needs only the points of each column, as for ranks.
    A project named twice keeps the points it was given first."""
    header, rows = section
    vote_row = check(header)
    vote_col = header.index("vote")
    points_col = _column(header, "points", "VOTES", path)
    ballots = []
    for line, row in rows:
        _, channel = vote_row(row, line)
        named = [p.strip() for p in row[vote_col].split(",") if p.strip()]
        given = [p.strip() for p in row[points_col].split(",") if p.strip()]
        if len(given) != len(named) or not all(p.isascii() and p.isdigit() for p in given):
            raise PabulibError(
                f"{path}:{line}: points {row[points_col]!r} must be one whole number >= 0 "
                "for each project in the vote"
            )
        first = dict(reversed(list(zip(named, given, strict=True))))
        ballots.append(
            ([(p, int(first[p])) for p in dict.fromkeys(named) if int(first[p])], channel)
        )
    slotted = [(_slots(entries), channel) for entries, channel in ballots]
    columns = sorted({key for slots, _ in slotted for key in slots}, key=lambda c: (-c[0], c[1]))
    where = {c: j for j, c in enumerate(columns)}
    laid_out = []
    for slots, channel in slotted:
        row = [""] * len(columns)
        for key, project in slots.items():
            row[where[key]] = project
        laid_out.append((tuple(row), channel))
    return _as_votes(laid_out, tuple(sorted(costs))), tuple(v for v, _ in columns)


def _slots(entries: list[tuple[str, int]]) -> dict[tuple[int, int], str]:
    """{(points, k): the k-th project (in file order) given those points}."""
    seen: Counter = Counter()
    slots = {}
    for project, value in entries:
        slots[(value, seen[value])] = project
        seen[value] += 1
    return slots


def _fast_votes(
    raw: bytes, offset: int, first_line: int, check: RowCheck, costs, path: Path
) -> Votes | None:
    """The VOTES section from ``offset`` (after its marker line): a header, then ballots."""
    while True:
        newline = raw.find(b"\n", offset)
        line = raw[offset:] if newline < 0 else raw[offset:newline]
        if line.strip(b" \t\r;") or newline < 0:
            break
        offset, first_line = newline + 1, first_line + 1
    header = [cell.strip() for cell in line.decode().rstrip("\r").split(";")]
    if header == [""]:
        raise PabulibError(f"{path}: the VOTES header has no 'vote' column")
    vote_row = check(header)
    layout = Layout(
        first_line=first_line + 1,
        vote_col=header.index("vote"),
        channel_col=header.index("voting_method") if "voting_method" in header else None,
        n_fields=len(header),
        vote_row=vote_row,
    )
    start = len(raw) if newline < 0 else newline + 1
    return read_votes(raw, start, layout=layout, projects=tuple(sorted(costs)))


def _as_votes(rows: list[tuple[tuple[str, ...], str | None]], projects: tuple[str, ...]) -> Votes:
    index = {p: i for i, p in enumerate(projects)}
    width = max((len(r) for r, _ in rows), default=1) or 1
    ranks = np.full((len(rows), width), -1, dtype=np.int32)
    code: dict[str | None, int] = {}
    for row, (ranking, _) in enumerate(rows):
        ranks[row, : len(ranking)] = [index[p] if p else -1 for p in ranking]  # "": a gap
    codes = [code.setdefault(channel, len(code)) for _, channel in rows]
    return Votes(ranks=ranks, channels=list(code), channel_of_row=np.array(codes, dtype=np.int64))


def _longest(votes: Votes) -> int:
    return int((votes.ranks >= 0).sum(axis=1).max()) if len(votes.ranks) else 0


def _box(votes: Votes, projects: tuple[str, ...], width: int) -> BallotBox:
    ranks = np.full((len(votes.ranks), width), -1, dtype=np.int32)
    used = min(width, votes.ranks.shape[1])
    ranks[:, :used] = votes.ranks[:, :used]
    rows, counts = _group_rows(ranks, len(projects))
    per_channel = np.bincount(votes.channel_of_row, minlength=len(votes.channels))
    totals: Counter = Counter()
    for name, n in zip(votes.channels, per_channel.tolist(), strict=True):
        totals[UNSPECIFIED_CHANNEL if name is None else name] += n
    return BallotBox(
        projects=projects,
        ranks=rows,
        counts=counts,
        by_channel=tuple(sorted((k, v) for k, v in totals.items() if v)),
        total=len(ranks),
    )


def _group_rows(ranks: np.ndarray, n_projects: int) -> tuple[np.ndarray, np.ndarray]:
    """Identical rankings once each, with how many ballots have them."""
    if not len(ranks):
        return ranks, np.zeros(0, dtype=np.int64)
    base = n_projects + 1
    if base ** ranks.shape[1] < 2**62:
        # Each ranking as one exact integer (its digits in base n+1): a plain sort groups
        # them, and the distinct rankings are decoded from the distinct keys.
        keys = np.zeros(len(ranks), dtype=np.int64)
        for column in ranks.T:
            keys *= base
            keys += column
            keys += 1
        keys.sort()
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        counts = np.diff(np.append(starts, len(keys))).astype(np.int64)
        distinct = keys[starts]
        rows = np.empty((len(distinct), ranks.shape[1]), dtype=ranks.dtype)
        for j in range(ranks.shape[1] - 1, -1, -1):
            distinct, digit = np.divmod(distinct, base)
            rows[:, j] = digit - 1
        return rows, counts
    rows, inverse = np.unique(ranks, axis=0, return_inverse=True)
    return rows, np.bincount(inverse.ravel()).astype(np.int64)
