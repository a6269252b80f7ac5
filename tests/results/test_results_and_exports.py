"""From ballots to an official result, funding, and files anyone can recount."""

import json
import subprocess
import sys
from collections import Counter

from pabutools.election.pabulib import parse_pabulib_from_string

from app.results.models import OfficialResult
from app.tally import Rules, TieBreak, tally
from tests.helpers import assert_error, audit_actions, publish_results
from tests.paper.test_batches import new_batch
from tests.paper.test_import_and_count import PASS_1, PASS_2, load

# Ballot numbers 1..8 (cost $10,000 each), budget $100,000 in the test world.
RANKINGS = [[3, 1, 2], [3, 2], [1, 3, 5, 4, 2], [2], [3], [6, 7, 8, 5, 4]]


def cast_online(client, world, codes, rankings=RANKINGS):
    number_to_id = dict(enumerate(world.proposals, start=1))
    for code, ranking in zip(codes(len(rankings)), rankings, strict=True):
        r = client.post(
            f"/api/processes/{world.process_id}/ballots",
            json={
                "credential": {"access_code": code},
                "ranking": [number_to_id[n] for n in ranking],
            },
        )
        assert r.status_code == 201, r.text


def with_paper(client, paper):
    """Three residents checked in for paper at site 0, and their three sheets typed in."""
    from tests.paper.test_funding_differences import check_in

    check_in(client, paper, 3)
    batch = new_batch(client, paper, sheets=3)
    load(client, paper.first, batch, PASS_1)
    load(client, paper.second, batch, PASS_2)
    assert (
        client.post(f"/api/paper-batches/{batch}/close", headers=paper.first.headers).status_code
        == 200
    )


def to_funding(client, paper, *, publish: bool = True):
    """The move to funding (the count), and by default its publication right after."""
    r = client.post(
        f"/api/processes/{paper.world.process_id}/transitions",
        headers=paper.organizer.headers,
        json={"to": "funding", "reason": "The vote is over."},
    )
    assert r.status_code == 201, r.text
    if publish:
        publish_results(client, paper.organizer.headers, paper.world.process_id)


def test_results_are_a_preview_for_organizers_while_voting(client, paper, codes):
    pid = paper.world.process_id
    cast_online(client, paper.world, codes)
    assert_error(client.get(f"/api/processes/{pid}/results"), 403, "not_published")
    assert_error(client.get(f"/api/processes/{pid}/results", headers=paper.first.headers), 403)
    view = client.get(f"/api/processes/{pid}/results", headers=paper.organizer.headers).json()
    assert view["preview"] is True and view["official"] is False and "Preview" in view["message"]
    assert view["result"]["ballots_counted"] == len(RANKINGS)
    assert view["result"]["ballots_by_channel"] == {"online": len(RANKINGS)}
    titles = {line["ballot_number"]: line["title"] for line in view["result"]["projects"]}
    assert titles[3] == "Proposal 3"


def test_funding_freezes_the_official_result(client, paper, codes, session_factory):
    pid = paper.world.process_id
    cast_online(client, paper.world, codes)
    with_paper(client, paper)
    preview = client.get(f"/api/processes/{pid}/results", headers=paper.organizer.headers).json()
    to_funding(client, paper)
    official = client.get(f"/api/processes/{pid}/results").json()
    assert official["official"] is True and official["preview"] is False
    assert official["result"] == preview["result"]
    result = official["result"]
    assert result["ballots_counted"] == len(RANKINGS) + 3
    assert result["blank_ballots"] == 1  # the blank paper sheet counts in turnout only
    assert result["ballots_by_channel"] == {"online": len(RANKINGS), "paper": 3}
    assert result["budget_used"] + result["budget_left"] == 100_000_00
    with session_factory() as session:
        stored = session.get(OfficialResult, pid)
        assert stored.ballots_sha256 == official["ballots_sha256"]
        assert ("results.official", "ok") in audit_actions(session)


def test_the_count_is_borda_over_every_channel(client, paper, codes):
    pid = paper.world.process_id
    cast_online(client, paper.world, codes)
    with_paper(client, paper)
    to_funding(client, paper)
    result = client.get(f"/api/processes/{pid}/results").json()["result"]
    # Hand count, 5-4-3-2-1 points. Online: see RANKINGS. Paper (skip_rank, close_gap):
    # sheet 1 = [3, 5]; sheet 3 = [2, 4, 1]; sheet 2 blank.
    points = Counter()
    for ranking in RANKINGS + [[3, 5], [2, 4, 1]]:
        for rank, number in enumerate(ranking):
            points[str(number)] += 5 - rank
    scores = {line["project"]: line["score"] for line in result["projects"]}
    assert {p: s for p, s in scores.items() if s} == dict(points)
    assert result["selected"][:3] == ["3", "2", "1"]
    # Every project costs $10,000 and the budget is $100,000: all 8 are funded.
    assert sorted(result["selected"]) == [str(n) for n in range(1, 9)]


def test_exports_are_public_after_funding_and_recount_exactly(client, paper, codes, tmp_path):
    pid = paper.world.process_id
    cast_online(client, paper.world, codes)
    with_paper(client, paper)
    assert_error(client.get(f"/api/processes/{pid}/exports/ballots.pb"), 403, "not_published")
    preview = client.get(
        f"/api/processes/{pid}/exports/ballots.pb", headers=paper.organizer.headers
    )
    assert preview.status_code == 200 and "preview" in preview.headers["content-disposition"]
    to_funding(client, paper)
    official = client.get(f"/api/processes/{pid}/results").json()
    pb = client.get(f"/api/processes/{pid}/exports/ballots.pb")
    assert pb.status_code == 200
    import hashlib

    assert hashlib.sha256(pb.content).hexdigest() == official["ballots_sha256"]
    # An independent reader takes it.
    instance, profile = parse_pabulib_from_string(pb.text)
    assert len(profile) == official["result"]["ballots_counted"]  # the blank is an empty vote
    path = tmp_path / "ballots.pb"
    path.write_bytes(pb.content)
    seed = official["result"]["rules"]["tie_break"]
    recount = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.tally",
            str(path),
            "--method",
            "borda",
            "--tie-break",
            seed,
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    assert recount.returncode == 0, recount.stderr
    again = json.loads(recount.stdout)
    assert again["selected"] == official["result"]["selected"]
    # The file counts whole dollars (every cost here is whole): same order, scores, funding.
    assert [
        (p["project"], p["cost"] * 100, p["score"], p["funded"]) for p in again["projects"]
    ] == [
        (p["project"], p["cost"], p["score"], p["funded"]) for p in official["result"]["projects"]
    ]
    assert again["tie_breaks"] == official["result"]["tie_breaks"]


def test_csv_exports(client, paper, codes):
    pid = paper.world.process_id
    cast_online(client, paper.world, codes)
    to_funding(client, paper)
    ballots = client.get(f"/api/processes/{pid}/exports/ballots.csv").text.splitlines()
    assert ballots[0] == "ballot,channel,rank_1,rank_2,rank_3,rank_4,rank_5"
    assert sorted(line.split(",", 2)[2].rstrip(",") for line in ballots[1:]) == sorted(
        ",".join(map(str, r)) for r in RANKINGS
    )
    results = client.get(f"/api/processes/{pid}/exports/results.csv").text.splitlines()
    assert results[0].startswith("position,ballot_number,title,cost_cents,score,funded")
    assert results[1].startswith("1,3,Proposal 3,1000000,")
    proposals = client.get(f"/api/processes/{pid}/exports/proposals.csv").text.splitlines()
    assert len(proposals) == 1 + 8
    body = client.get(f"/api/processes/{pid}/exports/results.json")
    assert json.loads(body.content)["official"] is True


def test_awards_for_selected_projects_within_budget(client, paper, codes, session_factory):
    pid = paper.world.process_id
    cast_online(client, paper.world, codes, rankings=[[3], [3, 1]])
    to_funding(client, paper)
    proposal = paper.world.proposals[2]  # ballot number 3
    award = {"amount_cents": 9_500_00, "organisation": "Foodlink", "status": "in_progress"}
    r = client.put(
        f"/api/processes/{pid}/projects/{proposal}/award",
        headers=paper.organizer.headers,
        json=award,
    )
    assert r.status_code == 200, r.text
    public = client.get(f"/api/processes/{pid}/projects").json()
    row = next(p for p in public["projects"] if p["proposal_id"] == proposal)
    assert (row["amount_cents"], row["organisation"], row["status"]) == (
        9_500_00,
        "Foodlink",
        "in_progress",
    )
    assert public["awarded_cents"] == 9_500_00
    assert_error(
        client.put(
            f"/api/processes/{pid}/projects/{proposal}/award",
            headers=paper.first.headers,
            json=award,
        ),
        403,
    )
    over = client.put(
        f"/api/processes/{pid}/projects/{proposal}/award",
        headers=paper.organizer.headers,
        json={**award, "amount_cents": 10**9},
    )
    assert_error(over, 409, "over_budget")
    for bad in (
        {**award, "amount_cents": 0},
        {**award, "amount_cents": 12.5},
        {**award, "status": "paid"},
        {**award, "organisation": ""},
    ):
        assert_error(
            client.put(
                f"/api/processes/{pid}/projects/{proposal}/award",
                headers=paper.organizer.headers,
                json=bad,
            ),
            422,
        )
    unknown = client.put(
        f"/api/processes/{pid}/projects/999999/award", headers=paper.organizer.headers, json=award
    )
    assert_error(unknown, 404)
    with session_factory() as session:
        assert ("funding.award", "ok") in audit_actions(session)


def test_no_funding_without_ballots(client, paper, world):
    r = client.post(
        f"/api/processes/{paper.world.process_id}/transitions",
        headers=paper.organizer.headers,
        json={"to": "funding", "reason": "x y z"},
    )
    assert_error(r, 409, "no_ballots")


def test_results_match_the_pure_tally(client, paper, codes):
    """The service adds nothing to the count: the same ballots through app.tally agree."""
    pid = paper.world.process_id
    cast_online(client, paper.world, codes)
    to_funding(client, paper)
    official = client.get(f"/api/processes/{pid}/results").json()["result"]
    ballots = Counter((tuple(map(str, r)), "online") for r in RANKINGS)
    seed = official["rules"]["tie_break"].removeprefix("seed:")
    direct = tally(
        ballots=ballots,
        rules=Rules(
            budget=100_000_00,
            costs={str(n): 10_000_00 for n in range(1, 9)},
            tie_break=TieBreak(seed=seed),
            method="borda",
            ballot_size=5,
        ),
    )
    served = {k: v for k, v in official.items() if k != "projects"}
    assert {k: v for k, v in direct.to_dict().items() if k != "projects"} == served
    # The service only adds the proposals' names to each line.
    assert direct.to_dict()["projects"] == [
        {k: line[k] for k in ("project", "cost", "score", "funded")}
        for line in official["projects"]
    ]


def test_the_files_at_a_page_address_follow_the_same_rules(client, paper, codes):
    """/processes/{id}/exports/{file}: what the API serves, to the same people, for a
    browser that needs no /api address (the pages link here)."""
    from tests.test_organize_page import sign_in

    pid = paper.world.process_id
    cast_online(client, paper.world, codes)
    page = {"Accept": "text/html"}
    hidden = client.get(f"/processes/{pid}/exports/ballots.csv", headers=page)
    assert hidden.status_code == 403 and hidden.headers["content-type"].startswith("text/html")
    sign_in(client, paper.organizer)  # the pages' cookie: a preview for the organizer
    preview = client.get(f"/processes/{pid}/exports/ballots.csv", headers=page)
    assert preview.status_code == 200 and "-preview.csv" in preview.headers["content-disposition"]
    assert preview.text == client.get(f"/api/processes/{pid}/exports/ballots.csv").text
    unknown = client.get(f"/processes/{pid}/exports/secrets.txt", headers=page)
    assert unknown.status_code == 404 and "ballots.pb" in unknown.text
    client.cookies.clear()
    to_funding(client, paper)
    for name in ("ballots.pb", "ballots.csv", "results.json", "results.csv", "proposals.csv"):
        public = client.get(f"/processes/{pid}/exports/{name}")
        assert public.status_code == 200, name
        assert public.content == client.get(f"/api/processes/{pid}/exports/{name}").content
