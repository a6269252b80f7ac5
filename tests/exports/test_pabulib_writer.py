import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pabutools.election.pabulib import parse_pabulib_from_string

from app.exports.pabulib import PbProject, write_pabulib

PROJECTS = [
    PbProject("1", 50_000_00, "Tiny homes; REACH"),
    PbProject("2", 35_000_00, 'Food "recovery"'),
    PbProject("3", 40_000_00, "Childcare, B and C shifts"),
]


def test_pabutools_reads_what_we_write():
    ballots = [(("1", "3"), "online"), (("2",), "kiosk"), (("3", "2", "1"), "paper")]
    text = write_pabulib(
        meta={"description": "Demo; with a semicolon", "currency": "USD"},
        budget_cents=100_000_00,
        projects=PROJECTS,
        ballots=ballots,
        ballot_size=5,
    )
    instance, profile = parse_pabulib_from_string(text)
    assert instance.budget_limit == 100_000
    assert sorted(p.name for p in instance) == ["1", "2", "3"]
    assert {p.name: p.cost for p in instance} == {"1": 50_000, "2": 35_000, "3": 40_000}
    assert [tuple(p.name for p in ballot) for ballot in profile] == [r for r, _ in ballots]
    assert instance.meta["description"] == "Demo; with a semicolon"


def test_cents_are_kept_exact():
    projects = [PbProject("1", 1_234_56, "A"), PbProject("2", 100_00, "B")]
    text = write_pabulib(
        meta={},
        budget_cents=2_000_00,
        projects=projects,
        ballots=[(("1",), "online")],
        ballot_size=5,
    )
    assert "cost_unit;cent" in text
    instance, _ = parse_pabulib_from_string(text)
    assert instance.budget_limit == 200_000
    assert {p.name: p.cost for p in instance} == {"1": 123_456, "2": 10_000}


def test_results_columns_when_known():
    projects = [
        PbProject("1", 100, "A", votes=12, selected=True),
        PbProject("2", 100, "B", votes=3, selected=False),
    ]
    text = write_pabulib(meta={}, budget_cents=100, projects=projects, ballots=[], ballot_size=5)
    assert "project_id;cost;name;votes;selected" in text
    assert "\n1;1;A;12;1\n" in text and "\n2;1;B;3;0\n" in text


rankings_strategy = st.lists(
    st.tuples(st.permutations(["1", "2", "3"]), st.integers(1, 3)).map(
        lambda t: tuple(t[0][: t[1]])
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(rankings_strategy)
def test_every_ballot_survives_the_round_trip(rankings):
    ballots = [(r, "online") for r in rankings]
    text = write_pabulib(
        meta={}, budget_cents=100_000_00, projects=PROJECTS, ballots=ballots, ballot_size=3
    )
    _, profile = parse_pabulib_from_string(text)
    assert [tuple(p.name for p in b) for b in profile] == rankings


@pytest.mark.parametrize("name", ["Line\nbreak", "Semi;colon", 'Quote "q"'])
def test_awkward_names_stay_in_their_field(name):
    text = write_pabulib(
        meta={"description": name},
        budget_cents=100,
        projects=[PbProject("1", 100, name), PbProject("2", 100, "B")],
        ballots=[(("2", "1"), "online")],
        ballot_size=2,
    )
    instance, profile = parse_pabulib_from_string(text)
    assert sorted(p.name for p in instance) == ["1", "2"]
    assert [tuple(p.name for p in b) for b in profile] == [("2", "1")]
    assert len(text.splitlines()) == 15  # 8 META + 4 PROJECTS + 3 VOTES lines
