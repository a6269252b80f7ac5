"""Real pabulib files pbvote used to refuse or miscount (issue 23), each with its official
outcome (the file's ``selected`` column), and hand-made files for the same rules."""

from __future__ import annotations

import json

import pytest

from app.tally.cli import main
from app.tally.pabulib import PabulibError, read_pabulib
from tests.tally.test_real_elections import REAL

DECIMAL = REAL / "poland_warszawa_2017_przyczolek-grochowski.pb"
COST_0 = REAL / "poland_gdynia_2020_grabowek-large.pb"
TWICE = REAL / "poland_warszawa_2022_wola.pb"
THRESHOLD = REAL / "poland_katowice_2020_zarzecze.pb"


def _count(capsys, path, *options) -> dict:
    assert main([str(path), "--json", *options]) == 0
    return json.loads(capsys.readouterr().out)


def _official(path) -> set[str]:
    return set(read_pabulib(path).official_selected)


def test_a_decimal_budget_is_read_exactly_and_the_official_outcome_reproduced(capsys):
    election = read_pabulib(DECIMAL)
    assert election.meta["budget"] == "102533.36"
    assert (election.budget, election.money_unit) == (10_253_336, 100)
    assert election.costs["1772"] == 800_000  # 8000 PLN in hundredths
    result = _count(capsys, DECIMAL)
    assert set(result["selected"]) == _official(DECIMAL) == {"1772", "1774"}
    assert result["budget_left"] == 10_253_336 - 800_000 - 9_350_000
    assert any("counted exactly in 1/100" in note for note in result["notes"])


def test_decimal_costs_count_exactly_where_floats_would_not(tmp_path, capsys):
    # 0.1 + 0.2 > 0.3 in floats; exactly, both fit and nothing is left.
    path = tmp_path / "cents.pb"
    path.write_text(
        "META\nkey;value\nvote_type;approval\nbudget;0.3\nrule;greedy\nPROJECTS\n"
        "project_id;cost\na;0.1\nb;0.20\nVOTES\nvoter_id;vote\n1;a,b\n2;a\n",
        encoding="utf-8",
    )
    result = _count(capsys, path)
    assert result["selected"] == ["a", "b"] and result["budget_left"] == 0
    assert result["rules"]["budget"] == 3  # in tenths, the most decimals written


def test_a_cost_0_project_is_read_and_never_funded_unless_asked(capsys):
    election = read_pabulib(COST_0)
    assert election.costs["5"] == 0  # "PROJECT WAS REMOVED BY THE CITY", 18 votes
    result = _count(capsys, COST_0)
    assert set(result["selected"]) == _official(COST_0)
    assert "5" not in result["selected"]
    assert any(note.startswith("cost 0: 5 never funded") for note in result["notes"])
    assert result["rules"]["zero_cost"] == "skip"
    funded = _count(capsys, COST_0, "--zero-cost", "fund")
    assert set(funded["selected"]) == _official(COST_0) | {"5"}


def test_a_vote_naming_a_project_twice_counts_once_with_its_line(capsys):
    result = _count(capsys, TWICE)
    assert set(result["selected"]) == _official(TWICE)
    assert (
        "poland_warszawa_2022_wola.pb:3095: vote names 1040 more than once; counted once"
        in (result["notes"])
    )
    assert main([str(TWICE), "--strict"]) == 2
    assert "poland_warszawa_2022_wola.pb:3095: vote lists a project twice" in (
        capsys.readouterr().err
    )
    with pytest.raises(PabulibError, match=":3095: vote lists a project twice"):
        read_pabulib(TWICE, strict=True)


def test_katowice_funds_only_projects_above_a_minimum_support(capsys):
    official = _official(THRESHOLD)
    plain = _count(capsys, THRESHOLD)
    # By default a project nobody gave points to is never funded, and the note says which.
    assert any(n.startswith("minimum support votes:1 (") for n in plain["notes"])
    assert set(plain["selected"]) != official
    # The official outcome: from 28 votes (4.33% of the 646 ballots) up to 44.
    for level in ("votes:28", "votes:44", "votes:5%"):
        assert set(_count(capsys, THRESHOLD, "--min-support", level)["selected"]) == official
    for level in ("votes:27", "votes:45"):
        assert set(_count(capsys, THRESHOLD, "--min-support", level)["selected"]) != official
    result = _count(capsys, THRESHOLD, "--min-support", "votes:5%", "--method", "mes")
    assert result["rules"]["min_support"] == "votes:5%"
    below = [line for line in result["projects"] if line["project"] not in result["selected"]]
    assert all(line["funded"] is False for line in below)


def _file(tmp_path, *, vote_type="approval", meta="", votes="1;a\n2;a,b\n3;b\n", points=""):
    header = "voter_id;vote" + (";points" if points else "")
    path = tmp_path / "made.pb"
    path.write_text(
        f"META\nkey;value\nvote_type;{vote_type}\nbudget;100\n{meta}PROJECTS\n"
        f"project_id;cost\na;60\nb;50\nc;30\nVOTES\n{header}\n{votes}",
        encoding="utf-8",
    )
    return path


def test_a_scoring_file_whose_ballots_are_all_empty_funds_nothing(tmp_path, capsys):
    path = _file(tmp_path, vote_type="scoring", votes="1;;\n2;;\n", points=True)
    result = _count(capsys, path)
    assert result["selected"] == [] and result["ballots_counted"] == 2
    assert result["blank_ballots"] == 2


@pytest.mark.parametrize(
    ("rule", "method", "selected"),
    [
        ("greedy", "approval", ["a", "c"]),
        ("greedy-no-skip", "approval", ["a"]),
        ("equalshares", "mes", ["a"]),
        ("equalshares/add1", "mes", ["a"]),
    ],
)
def test_pabulib_rule_names_choose_the_count_without_options(
    tmp_path, capsys, rule, method, selected
):
    votes = "1;a,c\n2;a,b\n3;b\n4;a\n"
    result = _count(capsys, _file(tmp_path, meta=f"rule;{rule}\n", votes=votes))
    assert result["method"] == method and result["selected"] == selected
    assert f"the file's rule '{rule}' is what this count does" in result["notes"][-1]


def test_the_wieliczka_file_reproduces_with_its_rule_alone(capsys):
    path = REAL / "poland_wieliczka_2023_green-budget.pb"
    result = _count(capsys, path)
    assert result["rules"]["completion"] == "add1"
    assert set(result["selected"]) == _official(path)


def test_a_meta_min_support_applies_and_the_option_overrides_it(tmp_path, capsys):
    path = _file(tmp_path, meta="rule;greedy\nmin_support;votes:3\n", votes="1;a,c\n2;a\n3;a\n")
    assert _count(capsys, path)["selected"] == ["a"]
    assert _count(capsys, path, "--min-support", "votes:1")["selected"] == ["a", "c"]
    assert main([str(path), "--min-support", "many"]) == 2
    assert "minimum support 'many' is not votes:N" in capsys.readouterr().err


def _pabutools_greedy(path, *, min_votes: int = 0) -> set[str]:
    """pabutools' greedy on the same file: approval by votes, points ballots by points
    (PointsTimesCost: it ranks by satisfaction per cost). A minimum support, which
    pabutools lacks, prices the projects below it out of reach."""
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare
    from pabutools.tiebreaking import lexico_tie_breaking

    from tests.tally.test_points_ballots import PointsTimesCost

    instance, profile = parse_pabulib(str(path))
    votes = {p: sum(1 for ballot in profile if p in ballot) for p in instance}
    for project in instance:
        if votes[project] < min_votes:
            project.cost = instance.budget_limit + 1
    points = read_pabulib(path).vote_type in ("cumulative", "scoring")
    chosen = greedy_utilitarian_welfare(
        instance,
        profile,
        sat_class=PointsTimesCost if points else Cost_Sat,
        is_sat_additive=True,
        tie_breaking=lexico_tie_breaking,
    )
    return {p.name for p in chosen}


@pytest.mark.parametrize(
    ("path", "options", "min_votes"),
    [
        # pabutools reads the decimal budget exactly too.
        (DECIMAL, (), 0),
        # pabutools funds the removed project of cost 0 (18 votes): --zero-cost fund.
        (COST_0, ("--zero-cost", "fund"), 0),
        # pabutools has no minimum support: projects nobody supported may be funded.
        (THRESHOLD, ("--min-support", "votes:0"), 0),
        (THRESHOLD, ("--min-support", "votes:28"), 28),
    ],
    ids=["decimal", "cost-0", "katowice-no-minimum", "katowice-28-votes"],
)
def test_the_real_files_count_as_pabutools_counts_them(capsys, path, options, min_votes):
    ours = set(_count(capsys, path, *options)["selected"])
    assert ours == _pabutools_greedy(path, min_votes=min_votes)


@pytest.mark.slow  # pabutools takes about 10 s on Wola's 9,000 ballots
def test_wola_counts_as_pabutools_counts_it(capsys):
    # pabutools keeps an approval ballot as a set: a project named twice counts once.
    assert set(_count(capsys, TWICE)["selected"]) == _pabutools_greedy(TWICE)


def test_the_files_tie_break_applies_unless_it_is_unknown(tmp_path, capsys):
    # a and b tie on 1 vote each; only one fits.
    votes = "1;a\n2;b\n"
    seeded = _file(tmp_path, meta="rule;greedy\ntie_break;seed:x\n", votes=votes)
    assert _count(capsys, seeded)["rules"]["tie_break"] == "seed:x"
    odd = _file(tmp_path, meta="rule;greedy\ntie_break;coin toss\n", votes=votes)
    result = _count(capsys, odd)
    assert result["rules"]["tie_break"] == "lexicographic"
    assert "the file's tie_break 'coin toss' is not one pbvote knows" in result["notes"][0]


def test_a_points_ballot_naming_a_project_twice_keeps_the_points_given_first(tmp_path, capsys):
    path = _file(tmp_path, vote_type="cumulative", votes="1;a,b,a;3,1,5\n2;b;2\n", points=True)
    result = _count(capsys, path)
    assert {line["project"]: line["score"] for line in result["projects"]} == {
        "a": 3,
        "b": 3,
        "c": 0,
    }
    assert "made.pb:12: vote names a more than once; counted once" in result["notes"]
    assert main([str(path), "--strict"]) == 2
    assert "made.pb:12: vote lists a project twice" in capsys.readouterr().err
