"""pabulib cumulative and scoring files: greedy by points and MES with the points as
utilities, against pabutools reading the same file."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pabutools.election import Additive_Cardinal_Sat, parse_pabulib
from pabutools.election.satisfaction import AdditiveSatisfaction
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
from pabutools.tiebreaking import lexico_tie_breaking

from app.tally import Rules, TieBreak, tally
from app.tally.cli import main
from app.tally.pabulib import PabulibError, read_pabulib
from app.tally.rules import MinSupport


@st.composite
def points_files(draw):
    vote_type = draw(st.sampled_from(["cumulative", "scoring"]))
    projects = [f"p{i}" for i in range(draw(st.integers(2, 6)))]
    costs = {p: draw(st.integers(1, 40)) for p in projects}
    budget = draw(st.integers(1, sum(costs.values())))
    lines = ["META", "key;value", f"vote_type;{vote_type}", f"budget;{budget}", "PROJECTS"]
    lines += ["project_id;cost", *[f"{p};{c}" for p, c in costs.items()], "VOTES"]
    lines.append("voter_id;vote;points")
    for n in range(1, draw(st.integers(1, 12)) + 1):
        chosen = draw(st.permutations(projects))[: draw(st.integers(1, len(projects)))]
        given = [draw(st.integers(1, 5)) for _ in chosen]
        lines.append(f"{n};{','.join(chosen)};{','.join(map(str, given))}")
    return "\n".join(lines) + "\n"


def _both(tmp_path, text):
    path = tmp_path / "points.pb"
    path.write_text(text)
    return path, *parse_pabulib(str(path))


def _ours(path, method, min_support="votes:0"):
    """votes:0 by default: pabutools funds a project nobody gave points too."""
    election = read_pabulib(path)
    rules = Rules(
        method=method,
        budget=election.budget,
        costs=election.costs,
        tie_break=TieBreak.lexicographic(),
        ballot_size=election.ballot_size,
        points=election.column_points,
        ballot_kind="points",
        min_support=MinSupport.parse(min_support),
    )
    return tally(ballots=election.box, rules=rules)


def _points_times_cost(instance, profile, ballot, project, precomputed_values):
    return ballot.get(project, 0) * project.cost


class PointsTimesCost(AdditiveSatisfaction):
    """Greedy by points: pabutools' greedy ranks by satisfaction per cost."""

    def __init__(self, instance, profile, ballot):
        super().__init__(instance, profile, ballot, _points_times_cost)


SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(text=points_files())
def test_points_greedy_selects_what_pabutools_greedy_selects(tmp_path, text):
    path, instance, profile = _both(tmp_path, text)
    theirs = greedy_utilitarian_welfare(
        instance,
        profile,
        sat_class=PointsTimesCost,
        is_sat_additive=True,
        tie_breaking=lexico_tie_breaking,
    )
    assert set(_ours(path, "points").selected) == {p.name for p in theirs}


@SETTINGS
@given(text=points_files())
def test_points_mes_selects_what_pabutools_mes_selects(tmp_path, text):
    path, instance, profile = _both(tmp_path, text)
    theirs = method_of_equal_shares(
        instance, profile, sat_class=Additive_Cardinal_Sat, tie_breaking=lexico_tie_breaking
    )
    assert list(_ours(path, "mes").selected) == [p.name for p in theirs]


HAND = """META
key;value
vote_type;cumulative
budget;50
rule;greedy
PROJECTS
project_id;cost
a;30
b;30
c;20
VOTES
voter_id;vote;points
1;a,b;3,2
2;b,c;4,1
3;c;5
"""


def test_cumulative_file_by_hand(tmp_path, capsys):
    path = tmp_path / "cumulative.pb"
    path.write_text(HAND)
    # Points: a 3, b 6, c 6; b before c on the tie (lexicographic); b 30 + c 20 = 50.
    assert main([str(path), "--method", "points", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["selected"] == ["b", "c"]
    assert [p["score"] for p in result["projects"]] == [6, 6, 3]
    assert "is what this count does (--method points" in result["notes"][-1]
    assert main([str(path), "--method", "irv"]) == 2
    assert "does not apply to points ballots" in capsys.readouterr().err
    assert main([str(path), "--method", "points", "--points", "1"]) == 2


@pytest.mark.parametrize(
    ("vote", "message"),
    [("1;a,b;3", ":13: points '3' must be one whole number"), ("1;a;x", "must be one whole")],
)
def test_bad_points_name_the_line(tmp_path, vote, message):
    path = tmp_path / "bad.pb"
    path.write_text(HAND.replace("1;a,b;3,2", vote))
    with pytest.raises(PabulibError, match=message):
        read_pabulib(path)
