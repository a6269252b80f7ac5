"""--fill, --exclusive, choose-1 files and the file's rule, checked by hand."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from app.exports.pabulib import PbProject, write_pabulib
from app.tally import Rules, TallyError, TieBreak, tally
from app.tally.cli import main
from app.tally.pabulib import read_pabulib
from app.tally.rules import MinSupport

LEX = TieBreak.lexicographic()


def _approval(ballots, costs, budget, **rules):
    counter = Counter({(tuple(r), None): n for r, n in ballots})
    size = max(len(r) for r, _ in ballots)
    return tally(
        ballots=counter,
        rules=Rules(
            budget=budget,
            costs=costs,
            tie_break=LEX,
            ballot_size=size,
            ballot_kind="approval",
            **rules,
        ),
    )


# a 60 (3 votes), b 50 (2), c 30 (1); budget 100: a fits, b does not, c would.
GREEDY = ([("abc", 1), ("ab", 1), ("a", 1)], {"a": 60, "b": 50, "c": 30}, 100)


def test_fill_skip_goes_on_down_the_list_and_stop_stops():
    ballots, costs, budget = GREEDY
    assert _approval(ballots, costs, budget, method="approval").selected == ("a", "c")
    stop = _approval(ballots, costs, budget, method="approval", fill="stop")
    assert stop.selected == ("a",) and stop.budget_left == 40
    assert stop.rules["fill"] == "stop"


def test_exclusive_greedy_walks_past_the_rival():
    ballots, costs, _ = GREEDY
    result = _approval(ballots, costs, 200, method="approval", exclusive=(("a", "b"),))
    assert result.selected == ("a", "c")
    assert result.rules["exclusive"] == [["a", "b"]]


def test_exclusive_mes_drops_the_rival_once_one_is_funded():
    # Two voters approve a and b, one approves c; 30 each, budget 90: MES funds all three,
    # but a and b are for the same place.
    ballots = [("ab", 2), ("c", 1)]
    costs = {"a": 30, "b": 30, "c": 30}
    assert set(_approval(ballots, costs, 90, method="mes").selected) == {"a", "b", "c"}
    result = _approval(ballots, costs, 90, method="mes", exclusive=(("b", "a"),))
    assert set(result.selected) == {"a", "c"}
    # The completion must not wait for the excluded rival either.
    done = _approval(ballots, costs, 90, method="mes", exclusive=(("a", "b"),), completion="add1")
    assert set(done.selected) == {"a", "c"}


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"fill": "carry"}, "unknown fill"),
        ({"exclusive": (("a",),)}, "at least two different projects"),
        ({"exclusive": (("a", "zz"),)}, "unknown projects ['zz']"),
    ],
)
def test_bad_funding_options_are_refused(rules, message):
    ballots, costs, budget = GREEDY
    with pytest.raises(TallyError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _approval(ballots, costs, budget, method="approval", **rules)


def _pb(tmp_path, *, vote_type="approval", rule="greedy", exclusive=()):
    text = write_pabulib(
        meta={"description": "hand-made", "rule": rule},
        budget_cents=10_000,
        projects=[
            PbProject("a", 6_000, "A"),
            PbProject("b", 5_000, "B"),
            PbProject("c", 3_000, "C"),
        ],
        ballots=[(("a",), "online"), (("a",), "paper"), (("b",), "online"), (("c",), "online")],
        ballot_size=1,
        exclusive=exclusive,
    ).replace("vote_type;ordinal", f"vote_type;{vote_type}")
    path = tmp_path / "file.pb"
    path.write_text(text, encoding="utf-8")
    return path


def test_choose_1_files_count_like_approval(tmp_path, capsys):
    path = _pb(tmp_path, vote_type="choose-1")
    assert main([str(path), "--method", "approval", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["selected"] == ["a", "c"]
    assert "the file's rule 'greedy' is what this count does" in result["notes"][-1]


def test_the_files_rule_is_named_when_pbvote_does_not_do_it(tmp_path, capsys):
    path = _pb(tmp_path, rule="unknown")
    assert main([str(path), "--method", "approval"]) == 0
    assert "rule 'unknown' is not one pbvote tally implements" in capsys.readouterr().out
    path = _pb(tmp_path, rule="equalshares/add1")
    assert main([str(path), "--method", "approval"]) == 0
    out = capsys.readouterr().out
    assert "counted by --method mes --completion add1 --fill skip; this count differs" in out


def test_exclusive_groups_survive_a_written_file_and_apply_on_recount(tmp_path, capsys):
    path = _pb(tmp_path, exclusive=[("a", "c")])
    assert read_pabulib(path).exclusive == (("a", "c"),)
    assert main([str(path), "--method", "approval", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["selected"] == ["a"]
    # Given on the command line, groups replace the file's.
    assert main([str(path), "--method", "approval", "--exclusive", "a,b", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["selected"] == ["a", "c"]
    assert main([str(path), "--fill", "stop", "--method", "approval", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["selected"] == ["a"]


# Supports: a 3 votes, b 2, c 1, d 0 (nobody); budget 200 fits all four. MES: 200/3 per
# voter; a costs each of its 3 voters 20, b its 2 voters 25, and c's one voter has 21.67
# left, less than 30: MES funds a and b whatever the minimum below 3 votes.
SUPPORT = ([("abc", 1), ("ab", 1), ("a", 1)], {"a": 60, "b": 50, "c": 30, "d": 10}, 200)


@pytest.mark.parametrize(
    ("level", "greedy", "mes"),
    [
        ("votes:0", "abcd", "ab"),  # pabutools' greedy funds d, nobody's choice
        ("votes:1", "abc", "ab"),  # the default
        ("votes:2", "ab", "ab"),
        ("votes:66.7%", "a", "a"),  # 2.001 of 3 ballots: 2 votes are not enough
        ("votes:66.6%", "ab", "ab"),  # 1.998: 2 votes are enough
        ("votes:100%", "a", "a"),
        ("points:3", "a", "a"),
    ],
)
def test_min_support_leaves_out_projects_below_it(level, greedy, mes):
    ballots, costs, budget = SUPPORT
    for method, selected in (("approval", greedy), ("mes", mes)):
        support = MinSupport.parse(level)
        result = _approval(ballots, costs, budget, method=method, min_support=support)
        assert set(result.selected) == set(selected), method
        assert result.rules["min_support"] == level


def test_min_support_on_ranked_ballots_counts_points_or_votes():
    # Rank points 2, 1: a ranked first twice (4 points, 2 votes), b second twice (2, 2),
    # c first once (2 points, 1 vote).
    ballots = Counter({(("a", "b"), None): 2, (("c",), None): 1})
    rules = dict(budget=100, costs={"a": 10, "b": 10, "c": 10}, tie_break=LEX, ballot_size=2)
    by_points = tally(
        ballots=ballots, rules=Rules(**rules, min_support=MinSupport.parse("points:3"))
    )
    assert by_points.selected == ("a",)
    by_votes = tally(ballots=ballots, rules=Rules(**rules, min_support=MinSupport.parse("votes:2")))
    assert set(by_votes.selected) == {"a", "b"}


@pytest.mark.parametrize("method", ["approval", "mes"])
def test_a_project_of_cost_0_is_funded_only_when_asked(method):
    # 90: 30 per voter for MES, enough for b (two voters) and c (one).
    ballots = [("ab", 2), ("c", 1)]
    costs = {"a": 0, "b": 40, "c": 30}
    skipped = _approval(ballots, costs, 90, method=method)
    assert "a" not in skipped.selected and set(skipped.selected) == {"b", "c"}
    assert skipped.rules["zero_cost"] == "skip"
    assert any(note.startswith("cost 0: a never funded") for note in skipped.notes)
    funded = _approval(ballots, costs, 90, method=method, zero_cost="fund")
    assert set(funded.selected) == {"a", "b", "c"} and funded.budget_used == 70


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"method": "irv", "min_support": MinSupport.parse("votes:2")}, "applies to borda"),
        ({"zero_cost": "maybe"}, "unknown zero-cost policy"),
        ({"money_unit": 0}, "money unit"),
    ],
)
def test_bad_support_options_are_refused(rules, message):
    with pytest.raises(TallyError, match=message):
        Rules(budget=10, costs={"a": 5}, tie_break=LEX, **rules)


@pytest.mark.parametrize(
    "text", ["", "votes", "votes:1.5", "points:-1", "seats:3", "votes:101%", "votes:١"]
)
def test_bad_min_support_texts_are_refused(text):
    with pytest.raises(TallyError, match="minimum support"):
        MinSupport.parse(text)
