"""--fill, --exclusive, choose-1 files and the file's rule, checked by hand."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from app.exports.pabulib import PbProject, write_pabulib
from app.tally import Rules, TallyError, TieBreak, tally
from app.tally.cli import main
from app.tally.pabulib import read_pabulib

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
