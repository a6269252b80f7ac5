"""The numpy VOTES reader must read every file exactly as the csv reader does: the same
ballots, channels and sizes, or the same error naming the same line."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.tally import pabulib, pabulib_votes
from app.tally.pabulib import PabulibError, read_pabulib

# Short ids pack into one integer; long and non-ASCII ones go through the verified hash.
IDS = st.sampled_from(
    [
        ["a", "b", "c", "d"],
        ["1", "12", "123", "1234567"],
        ["P01", "P02", "P10", "P11"],
        ["projekt-dlugi-1", "projekt-dlugi-2", "żółw", "ŻÓŁW-ogród"],
    ]
)
HEAD = "META\nkey;value\nvote_type;ordinal\nbudget;9\nPROJECTS\nproject_id;cost\na;1\nb;2\n"
CHANNELS = ["online", "paper", "", "kiosk-with-a-long-name"]
# Lines that are wrong or odd in some way, each in its own place in the file.
ODD = [
    "{n};{a}, {b};online",  # spaces inside the vote: stripped
    "{n};{a},,{b};paper",  # an empty id: skipped
    "{n};{a},{a};online",  # a repeated project: an error
    "{n};{a},zz-unknown;online",  # an unknown project: an error
    "{n};{a}",  # too few fields
    "{n};{a};online;extra",  # too many fields
    " ; ; ",  # blank: skipped
    "",  # empty: skipped
    "{n}; {a} ; paper ",  # spaces around fields: stripped
    "{n};;online",  # a blank ballot
]


@st.composite
def pb_files(draw):
    ids = draw(IDS)
    with_channel = draw(st.booleans())
    lines = [
        "META",
        "key;value",
        "vote_type;ordinal",
        "budget;100",
        "PROJECTS",
        "project_id;cost",
        *[f"{p};{draw(st.integers(1, 90))}" for p in ids],
        "VOTES",
        "voter_id;vote" + (";voting_method" if with_channel else ""),
    ]
    for n in range(1, draw(st.integers(0, 30)) + 1):
        if draw(st.integers(0, 9)) == 0:
            a, b = draw(st.permutations(ids))[:2]
            line = draw(st.sampled_from(ODD)).format(n=n, a=a, b=b)
            if not with_channel:
                line = line.rsplit(";", 1)[0] if line.count(";") > 1 else line
        else:
            size = draw(st.integers(0, len(ids)))
            vote = ",".join(draw(st.permutations(ids))[:size])
            channel = draw(st.sampled_from(CHANNELS))
            line = f"{n};{vote}" + (f";{channel}" if with_channel else "")
        lines.append(line)
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + draw(st.sampled_from(["", newline]))


def _read(path, *, fast: bool):
    try:
        if fast:
            election = read_pabulib(path)
        else:
            raw = path.read_bytes()
            election = pabulib._read(path, raw, None)
    except PabulibError as exc:
        return ("error", str(exc))
    box = election.box
    return (
        election.ballots,
        box.by_channel,
        box.total,
        election.ballot_size,
        box.ranks.shape[1],
        election.warnings,
    )


@pytest.mark.slow  # 300 generated files
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=pb_files())
def test_fast_reader_reads_as_the_csv_reader_does(tmp_path, text):
    path = tmp_path / "votes.pb"
    path.write_bytes(text.encode())
    expected = _read(path, fast=False)
    assert _read(path, fast=True) == expected
    # Chunks of a few lines each: lines and errors keep their numbers across chunks.
    chunk, pabulib_votes._CHUNK = pabulib_votes._CHUNK, 20
    try:
        assert _read(path, fast=True) == expected
    finally:
        pabulib_votes._CHUNK = chunk


def test_fast_reader_names_the_first_bad_line(tmp_path):
    rows = "\n".join(f"{n};a,b;online" for n in range(1, 2000))
    path = tmp_path / "bad.pb"
    text = f"{HEAD}VOTES\nvoter_id;vote;voting_method\n{rows}\n"
    lines = text.splitlines()
    lines[1500] = "1490;a,x;online"
    lines[1800] = "1790;a,a;online"
    path.write_text("\n".join(lines) + "\n")
    assert _read(path, fast=True) == (
        "error",
        f"{path}:1501: vote names project 'x', not in PROJECTS",
    )


def test_quoted_votes_and_late_sections_go_through_csv(tmp_path):
    quoted = tmp_path / "quoted.pb"
    quoted.write_text(HEAD + 'VOTES\nvoter_id;vote\n1;"a,b"\n2;b\n')
    assert _read(quoted, fast=True)[0] == Counter({(("a", "b"), None): 1, (("b",), None): 1})
    late = tmp_path / "late.pb"
    late.write_text(
        "META\nkey;value\nvote_type;ordinal\nbudget;9\nVOTES\nvoter_id;vote\n1;a\nPROJECTS\nproject_id;cost\na;1\n"
    )
    assert _read(late, fast=True) == _read(late, fast=False)
    assert _read(late, fast=True)[2] == 1
