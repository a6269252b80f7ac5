"""The recount command, run as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.tally.cli import main
from tests.helpers import HANG_SECONDS

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "data" / "real"

SMALL = """\ufeffMETA
key;value
description;"small; hand-made"
vote_type;ordinal
budget;100
PROJECTS
project_id;cost;name
a;50;"Park; benches"
b;60;Library
c;40;Lights
VOTES
voter_id;vote;voting_method
1;a,b;internet
2;a,b;internet
3;a,b;paper
4;b,c;paper
5;b,c;
6;c,a;internet
"""


@pytest.fixture
def small_pb(tmp_path) -> Path:
    path = tmp_path / "small.pb"
    path.write_text(SMALL, encoding="utf-8")
    return path


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.tally", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
    )


def test_json_result_via_module(small_pb):
    done = run(str(small_pb), "--method", "borda", "--points", "2,1", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    # a: 2+2+2+1 = 7, b: 1+1+1+2+2 = 7, c: 1+1+2 = 4 with points 2,1; a before b by id.
    assert [p["project"] for p in result["projects"]] == ["a", "b", "c"]
    assert result["selected"] == ["a", "c"]
    assert result["ballots_by_channel"] == {"internet": 3, "paper": 2, "unspecified": 1}
    assert result["tie_breaks"][0]["tied"] == ["a", "b"]


def test_table_output(small_pb, capsys):
    assert main([str(small_pb), "--method", "irv"]) == 0
    out = capsys.readouterr().out
    assert "rank" in out and "cumulative" in out and "budget used" in out


def test_cross_check_agrees_on_a_clean_election(small_pb, capsys):
    assert main([str(small_pb), "--method", "irv", "--cross-check", "--seats", "1"]) == 0
    out = capsys.readouterr().out
    assert "irv (first winner)" in out and ": agree" in out


def test_malformed_file_names_the_line(small_pb, tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text(SMALL.replace("5;b,c;", "5;b,zz;"), encoding="utf-8")
    done = run(str(bad), "--method", "borda")
    assert done.returncode == 2
    assert "bad.pb:17:" in done.stderr and "'zz'" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("c;40;Lights", "c;forty;Lights"), "bad.pb:10: cost of project c 'forty' is not a number"),
        (("4;b,c;paper", "4;b,c"), "bad.pb:16: 2 fields"),
        (("vote_type;ordinal", "vote_type;quadratic"), "bad.pb:4: vote_type 'quadratic' is not"),
        (("vote_type;ordinal", "vote_type;cumulative"), "VOTES header has no 'points' column"),
        (("budget;100", "budget;lots"), "bad.pb:5: budget 'lots' is not a number"),
        (("budget;100", "budget;-100"), "bad.pb:5: budget '-100' must be a positive"),
        (("budget;100\n", ""), "the META section has no budget"),
        (("VOTES\n", ""), "bad.pb: no VOTES section"),
        (("c;40;Lights", "c;-40;Lights"), "bad.pb:10: cost of project c '-40' must be 0 or"),
    ],
)
def test_more_malformed_files(tmp_path, capsys, change, message):
    bad = tmp_path / "bad.pb"
    bad.write_text(SMALL.replace(*change), encoding="utf-8")
    assert main([str(bad)]) == 2
    assert message in capsys.readouterr().err


def test_a_project_named_twice_counts_once_with_a_warning_and_strict_refuses(tmp_path, capsys):
    bad = tmp_path / "bad.pb"
    bad.write_text(SMALL.replace("6;c,a;internet", "6;c,c;internet"), encoding="utf-8")
    assert main([str(bad), "--strict"]) == 2
    assert "bad.pb:18: vote lists a project twice" in capsys.readouterr().err
    assert main([str(bad), "--json"]) == 0
    twice = json.loads(capsys.readouterr().out)
    assert "bad.pb:18: vote names c more than once; counted once" in twice["notes"]
    # Counted as the vote for c alone.
    once = tmp_path / "once.pb"
    once.write_text(SMALL.replace("6;c,a;internet", "6;c;internet"), encoding="utf-8")
    assert main([str(once), "--json"]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert twice["projects"] == alone["projects"] and twice["selected"] == alone["selected"]


def test_bad_options_exit_2(small_pb, capsys):
    assert main([str(small_pb), "--points", "3,2,1"]) == 2
    assert "points vector" in capsys.readouterr().err
    assert main([str(small_pb), "--method", "stv"]) == 2
    assert "needs seats" in capsys.readouterr().err


def test_approval_file_counts_with_approval_and_mes(capsys):
    path = str(REAL / "poland_warszawa_2024_bemowo.pb")
    assert main([path, "--method", "mes", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["budget_used"] <= result["rules"]["budget"]
    assert main([path, "--method", "irv"]) == 2
    assert "does not apply to approval ballots" in capsys.readouterr().err


@pytest.mark.slow
def test_wieliczka_recount_with_add1_completion_is_the_official_one(capsys):
    path = str(REAL / "poland_wieliczka_2023_green-budget.pb")
    assert main([path, "--method", "mes", "--completion", "add1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["rules"]["completion"] == "add1"
    assert len(result["selected"]) == 30 and result["budget_used"] == 995_079
    assert main([path, "--method", "approval", "--completion", "add1"]) == 2
    assert "applies to mes only" in capsys.readouterr().err


def test_cross_check_explains_a_difference(tmp_path, capsys):
    # The golden STV election where pyrankvote averages ballot weights (see
    # tests/data/golden/stv_weighted_transfers.json): it elects P where we elect Q.
    votes = [("A,X,P", 40), ("X,Q", 20), ("Q", 21), ("P", 19)]
    rows = [f"{i};{vote}" for i, vote in enumerate((v for v, n in votes for _ in range(n)), 1)]
    text = "\n".join(
        ["META", "key;value", "vote_type;ordinal", "budget;40", "PROJECTS", "project_id;cost"]
        + [f"{p};10" for p in "APQX"]
        + ["VOTES", "voter_id;vote", *rows]
    )
    path = tmp_path / "stv.pb"
    path.write_text(text + "\n", encoding="utf-8")
    assert main([str(path), "--method", "stv", "--seats", "3", "--cross-check", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["selected"] == ["A", "X", "Q"]
    stv_check = next(c for c in result["cross_check"] if c["method"].startswith("stv"))
    assert stv_check["agrees"] is False
    assert stv_check["pyrankvote"] == ["A", "P", "X"]
    assert "equal share per ballot" in stv_check["description"]
