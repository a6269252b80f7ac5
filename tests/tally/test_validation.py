"""Bad rules and ballots raise TallyError with a message a person can act on."""

from __future__ import annotations

from collections import Counter

import pytest

from app.tally import Rules, TallyError, TieBreak, tally

COSTS = {"a": 10, "b": 20, "c": 30}
LEX = TieBreak.lexicographic()


def _rules(**overrides) -> Rules:
    fields = dict(budget=50, costs=COSTS, tie_break=LEX, ballot_size=3)
    fields.update(overrides)
    return Rules(**fields)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (dict(method="plurality"), "unknown method 'plurality'"),
        (dict(budget=0), "budget must be a positive"),
        (dict(budget=-5), "budget must be a positive"),
        (dict(budget=10.5), "budget must be a positive"),
        (dict(points=(3, 2)), "has 2 entries"),
        (dict(points=(1, 2, 3)), "must not increase"),
        (dict(points=(3, 2, 0)), "whole numbers >= 1"),
        (dict(costs={"a": -1}), "cost of project 'a'"),
        (dict(costs={}), "no projects"),
        (dict(method="stv"), "needs seats"),
        (dict(method="stv", seats=4), "seats must be"),
        (dict(method="borda", seats=2), "seats applies to stv only"),
        (dict(method="irv", ballot_kind="approval"), "does not apply to approval ballots"),
        (dict(ballot_size=0), "ballot size"),
    ],
)
def test_bad_rules(overrides, message):
    with pytest.raises(TallyError, match=message):
        _rules(**overrides)


@pytest.mark.parametrize(
    ("ballots", "message"),
    [
        (Counter(), "no ballots"),
        ([], "no ballots"),
        (Counter({(("a", "b", "c", "a"), None): 1}), "ranks 4 projects; at most 3"),
        (Counter({(("a", "b", "a"), None): 1}), "same project more than once"),
        (Counter({(("a", "zz"), None): 1}), "'zz', which has no cost"),
        ([(("a",), "online"), ("b", "paper")], "must be \\(ranking, channel\\)"),
        (Counter({(("a",), None): 0}), "at least one ballot"),
    ],
)
@pytest.mark.parametrize("method", ["borda", "irv"])
def test_bad_ballots(ballots, message, method):
    with pytest.raises(TallyError, match=message):
        tally(ballots=ballots, rules=_rules(method=method))


def test_tally_error_is_a_value_error():
    assert issubclass(TallyError, ValueError)


def test_bad_tie_break_text():
    with pytest.raises(TallyError, match="lexicographic"):
        TieBreak.parse("coin")
    assert TieBreak.parse("seed:abc") == TieBreak(seed="abc")
