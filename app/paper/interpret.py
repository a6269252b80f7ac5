"""Published interpretation rules: a paper sheet's raw marks -> a ranking.

Pure functions: no database, no web. The raw marks are kept as written; these rules,
chosen in `design` and published with the result, turn them into the ranking that is
counted, and say which rule touched the sheet.

How a sheet is read, step by step (the order matters and is part of the rules):
1. A sheet flagged blank or unreadable, or with no marks, counts in turnout only.
2. A mark whose number is not on the ballot is ignored.
3. A proposal marked at several ranks keeps its best (lowest) rank; its other marks
   are ignored.
4. Ranks are read from 1 up to the highest rank written. At each rank:
   - exactly one proposal: it is next in the ranking;
   - two or more proposals (an overvote): `skip_rank` passes over this rank,
     `end_ballot` ends the ballot here;
   - nothing left (a skipped rank, including one emptied by steps 2 and 3):
     `close_gap` moves on to the next rank, `end_ballot` ends the ballot here.
5. Only the first `ballot_size` proposals are kept.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum


class OvervoteRule(StrEnum):
    skip_rank = "skip_rank"
    end_ballot = "end_ballot"


class SkippedRankRule(StrEnum):
    close_gap = "close_gap"
    end_ballot = "end_ballot"


class SheetStatus(StrEnum):
    counted = "counted"  # at least one proposal in the ranking
    blank = "blank"  # flagged blank, or no marks at all
    unreadable = "unreadable"
    no_valid_marks = "no_valid_marks"  # marks, but the rules left nothing to count


@dataclass(frozen=True)
class PaperRules:
    overvote: OvervoteRule = OvervoteRule.skip_rank
    skipped_rank: SkippedRankRule = SkippedRankRule.close_gap


@dataclass(frozen=True)
class Mark:
    rank: int
    ballot_number: int


@dataclass(frozen=True)
class Interpretation:
    ranking: tuple[int, ...]  # ballot numbers, best first
    status: SheetStatus
    notes: tuple[str, ...] = field(default=())  # which rules applied, in words


def interpret(
    *,
    marks: list[Mark] | tuple[Mark, ...],
    ballot_numbers: frozenset[int] | set[int],
    ballot_size: int,
    rules: PaperRules,
    blank: bool = False,
    unreadable: bool = False,
) -> Interpretation:
    if unreadable:
        return Interpretation((), SheetStatus.unreadable, ("sheet unreadable: turnout only",))
    if blank or not marks:
        return Interpretation((), SheetStatus.blank, ("blank sheet: turnout only",))
    notes: list[str] = []
    valid = []
    for mark in sorted(set(marks), key=lambda m: (m.rank, m.ballot_number)):
        if mark.ballot_number not in ballot_numbers:
            notes.append(
                f"number {mark.ballot_number} at rank {mark.rank} is not on the "
                "ballot: mark ignored"
            )
        else:
            valid.append(mark)
    at_rank: dict[int, list[int]] = defaultdict(list)
    best_rank: dict[int, int] = {}
    for mark in valid:  # sorted by rank, so the first occurrence is the best rank
        if mark.ballot_number in best_rank:
            notes.append(
                f"proposal {mark.ballot_number} ranked again at {mark.rank}: kept "
                f"its best rank {best_rank[mark.ballot_number]}"
            )
            continue
        best_rank[mark.ballot_number] = mark.rank
        at_rank[mark.rank].append(mark.ballot_number)
    ranking = _read_ranks(at_rank, max((m.rank for m in marks), default=0), rules, notes)
    if len(ranking) > ballot_size:
        notes.append(f"{len(ranking)} proposals ranked: kept the first {ballot_size}")
        ranking = ranking[:ballot_size]
    status = SheetStatus.counted if ranking else SheetStatus.no_valid_marks
    return Interpretation(tuple(ranking), status, tuple(notes))


def _read_ranks(
    at_rank: dict[int, list[int]], highest: int, rules: PaperRules, notes: list[str]
) -> list[int]:
    last_filled = max(at_rank, default=0)
    ranking: list[int] = []
    for rank in range(1, min(highest, last_filled) + 1):
        numbers = at_rank.get(rank, [])
        if len(numbers) == 1:
            ranking.append(numbers[0])
        elif len(numbers) > 1:
            listed = ", ".join(map(str, numbers))
            if rules.overvote == OvervoteRule.end_ballot:
                notes.append(f"overvote at rank {rank} ({listed}): ballot ends here")
                break
            notes.append(f"overvote at rank {rank} ({listed}): rank skipped")
        else:
            if rules.skipped_rank == SkippedRankRule.end_ballot:
                notes.append(f"rank {rank} skipped: ballot ends here")
                break
            notes.append(f"rank {rank} skipped: later ranks move up")
    return ranking
