"""Hand-written paper sheets -> the ranking the published rules give (table-driven)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.paper.interpret import (
    Mark,
    OvervoteRule,
    PaperRules,
    SheetStatus,
    SkippedRankRule,
    interpret,
)

BALLOT = frozenset(range(1, 23))  # 22 proposals, numbered 1..22
SKIP, END = OvervoteRule.skip_rank, OvervoteRule.end_ballot
CLOSE, STOP = SkippedRankRule.close_gap, SkippedRankRule.end_ballot


def sheet(*pairs: tuple[int, int]) -> list[Mark]:
    return [Mark(rank, number) for rank, number in pairs]


CASES = [
    # (name, marks, overvote rule, skipped-rank rule, expected ranking, expected status)
    (
        "a clean five",
        sheet((1, 7), (2, 3), (3, 12), (4, 1), (5, 22)),
        SKIP,
        CLOSE,
        (7, 3, 12, 1, 22),
        "counted",
    ),
    ("a clean three", sheet((1, 7), (2, 3), (3, 12)), END, STOP, (7, 3, 12), "counted"),
    (
        "marks written out of order",
        sheet((3, 12), (1, 7), (2, 3)),
        SKIP,
        CLOSE,
        (7, 3, 12),
        "counted",
    ),
    (
        "overvote, skip the rank",
        sheet((1, 7), (2, 3), (2, 4), (3, 12)),
        SKIP,
        CLOSE,
        (7, 12),
        "counted",
    ),
    (
        "overvote, end the ballot",
        sheet((1, 7), (2, 3), (2, 4), (3, 12)),
        END,
        CLOSE,
        (7,),
        "counted",
    ),
    ("overvote at rank 1, end", sheet((1, 7), (1, 3), (2, 12)), END, CLOSE, (), "no_valid_marks"),
    ("overvote at rank 1, skip", sheet((1, 7), (1, 3), (2, 12)), SKIP, CLOSE, (12,), "counted"),
    (
        "skipped rank, close the gap",
        sheet((1, 7), (3, 12), (4, 1)),
        SKIP,
        CLOSE,
        (7, 12, 1),
        "counted",
    ),
    ("skipped rank, end the ballot", sheet((1, 7), (3, 12), (4, 1)), SKIP, STOP, (7,), "counted"),
    ("no rank 1, close the gap", sheet((2, 7), (3, 12)), SKIP, CLOSE, (7, 12), "counted"),
    ("no rank 1, end the ballot", sheet((2, 7), (3, 12)), SKIP, STOP, (), "no_valid_marks"),
    (
        "ranked twice keeps the best rank",
        sheet((1, 7), (2, 3), (3, 7), (4, 12)),
        SKIP,
        CLOSE,
        (7, 3, 12),
        "counted",
    ),
    (
        "ranked twice: the emptied rank is a skipped rank",
        sheet((1, 7), (2, 7), (3, 12)),
        SKIP,
        STOP,
        (7,),
        "counted",
    ),
    (
        "ranked twice removes an overvote",
        sheet((1, 7), (2, 7), (2, 3)),
        SKIP,
        STOP,
        (7, 3),
        "counted",
    ),
    (
        "more than five ranks keeps the first five",
        sheet((1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (7, 7)),
        SKIP,
        CLOSE,
        (1, 2, 3, 4, 5),
        "counted",
    ),
    (
        "number not on the ballot is ignored",
        sheet((1, 7), (2, 99), (3, 12)),
        SKIP,
        CLOSE,
        (7, 12),
        "counted",
    ),
    (
        "number not on the ballot leaves a skipped rank",
        sheet((1, 7), (2, 99), (3, 12)),
        SKIP,
        STOP,
        (7,),
        "counted",
    ),
    (
        "number not on the ballot is not an overvote",
        sheet((1, 7), (2, 0), (2, 3)),
        END,
        STOP,
        (7, 3),
        "counted",
    ),
    ("only numbers not on the ballot", sheet((1, 40), (2, 41)), SKIP, CLOSE, (), "no_valid_marks"),
    (
        "the same mark written twice is one mark",
        sheet((1, 7), (1, 7), (2, 3)),
        END,
        STOP,
        (7, 3),
        "counted",
    ),
    (
        "trailing skipped ranks change nothing",
        sheet((1, 7), (2, 3), (5, 99)),
        SKIP,
        STOP,
        (7, 3),
        "counted",
    ),
]


@pytest.mark.parametrize(
    ("name", "marks", "overvote", "skipped", "expected", "status"), CASES, ids=[c[0] for c in CASES]
)
def test_sheet(name, marks, overvote, skipped, expected, status):
    result = interpret(
        marks=marks,
        ballot_numbers=BALLOT,
        ballot_size=5,
        rules=PaperRules(overvote=overvote, skipped_rank=skipped),
    )
    assert result.ranking == expected
    assert result.status == SheetStatus(status)
    if expected != tuple(m.ballot_number for m in sorted(set(marks), key=lambda m: m.rank)):
        assert result.notes, "a sheet the rules changed must say which rule applied"


@pytest.mark.parametrize(
    "flags,status",
    [({"blank": True}, "blank"), ({"unreadable": True}, "unreadable"), ({}, "blank")],
)
def test_blank_and_unreadable_sheets_count_in_turnout_only(flags, status):
    marks = sheet((1, 7)) if flags else []
    result = interpret(
        marks=marks, ballot_numbers=BALLOT, ballot_size=5, rules=PaperRules(), **flags
    )
    assert result.ranking == () and result.status == SheetStatus(status)


def test_a_smaller_ballot_size_keeps_fewer():
    result = interpret(
        marks=sheet((1, 1), (2, 2), (3, 3), (4, 4)),
        ballot_numbers=BALLOT,
        ballot_size=3,
        rules=PaperRules(),
    )
    assert result.ranking == (1, 2, 3)
    assert "kept the first 3" in result.notes[-1]


marks_strategy = st.lists(st.builds(Mark, st.integers(1, 8), st.integers(0, 25)), max_size=12)


@settings(max_examples=400, deadline=None)
@given(
    marks=marks_strategy,
    overvote=st.sampled_from(list(OvervoteRule)),
    skipped=st.sampled_from(list(SkippedRankRule)),
    size=st.integers(1, 6),
)
def test_every_ranking_is_a_valid_ballot(marks, overvote, skipped, size):
    result = interpret(
        marks=marks, ballot_numbers=BALLOT, ballot_size=size, rules=PaperRules(overvote, skipped)
    )
    assert len(result.ranking) <= size
    assert len(set(result.ranking)) == len(result.ranking)
    assert set(result.ranking) <= BALLOT
    # Every counted proposal was marked by the voter.
    assert set(result.ranking) <= {m.ballot_number for m in marks}
    # The order the marks were typed in never matters.
    again = interpret(
        marks=list(reversed(marks)),
        ballot_numbers=BALLOT,
        ballot_size=size,
        rules=PaperRules(overvote, skipped),
    )
    assert again == result
    # The lenient rules never count fewer proposals than the strict ones.
    strict = interpret(
        marks=marks,
        ballot_numbers=BALLOT,
        ballot_size=size,
        rules=PaperRules(OvervoteRule.end_ballot, SkippedRankRule.end_ballot),
    )
    lenient = interpret(
        marks=marks,
        ballot_numbers=BALLOT,
        ballot_size=size,
        rules=PaperRules(OvervoteRule.skip_rank, SkippedRankRule.close_gap),
    )
    assert len(strict.ranking) <= len(lenient.ranking)
    assert lenient.ranking[: len(strict.ranking)] == strict.ranking
