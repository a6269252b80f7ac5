"""A process's count rules say whether funding skips a project that no longer fits or
stops there; the official result, the export and its recount command follow."""

import pytest

from app.processes.models import Process
from app.proposals.models import Proposal
from app.tally.pabulib import read_pabulib
from tests.helpers import assert_error
from tests.results.test_results_and_exports import RANKINGS, cast_online, to_funding


def _tight_budget(session_factory, world, fill):
    # Borda order 3, 2, 1, then 6 and 5 tied (the seed puts 6 first): 3 fits, 2 (now
    # $30,000) does not; 1 and one more would.
    with session_factory() as session:
        process = session.get(Process, world.process_id)
        process.budget_cents, process.count_fill = 35_000_00, fill
        session.get(Proposal, world.proposals[1]).cost_cents = 30_000_00
        session.commit()


@pytest.mark.parametrize(("fill", "selected"), [("skip", ["3", "1", "6"]), ("stop", ["3"])])
def test_fill_rule_decides_the_official_result(
    client, paper, codes, session_factory, fill, selected
):
    world = paper.world
    cast_online(client, world, codes)
    _tight_budget(session_factory, world, fill)
    to_funding(client, paper)
    result = client.get(f"/api/processes/{world.process_id}/results").json()["result"]
    assert result["rules"]["fill"] == fill
    assert result["selected"] == selected
    assert result["ballots_counted"] == len(RANKINGS)
    exported = client.get(f"/api/processes/{world.process_id}/exports/ballots.pb").text
    assert ("--fill stop" in exported) == (fill == "stop")


def test_count_fill_is_a_rule_fixed_after_design(client, organizer, paper):
    r = client.get(f"/api/processes/{paper.world.process_id}", headers=organizer.headers)
    assert r.json()["count_fill"] == "skip"
    r = client.patch(
        f"/api/processes/{paper.world.process_id}",
        headers=organizer.headers,
        json={"count_fill": "stop"},
    )
    assert r.status_code == 409, r.text
    r = client.patch(
        f"/api/processes/{paper.world.process_id}",
        headers=organizer.headers,
        json={"count_fill": "carry"},
    )
    assert r.status_code == 422, r.text


def _exclusive(session_factory, world, groups):
    with session_factory() as session:
        session.get(Process, world.process_id).count_exclusive = groups
        session.commit()


def test_exclusive_groups_hold_in_the_count_the_export_and_its_recount(
    client, paper, codes, session_factory, tmp_path
):
    world = paper.world
    cast_online(client, world, codes)
    _exclusive(session_factory, world, [[2, 3]])
    to_funding(client, paper)
    result = client.get(f"/api/processes/{world.process_id}/results").json()["result"]
    # Every project fits the budget; 3 leads the count, so 2 is the one left out.
    assert result["rules"]["exclusive"] == [["2", "3"]]
    assert "3" in result["selected"] and "2" not in result["selected"]
    exported = client.get(f"/api/processes/{world.process_id}/exports/ballots.pb").text
    assert "exclusive;2,3\n" in exported
    path = tmp_path / "ballots.pb"
    path.write_text(exported, encoding="utf-8")
    recount = read_pabulib(path)
    assert recount.exclusive == (("2", "3"),)


def test_an_exclusive_group_naming_no_project_refuses_the_count(
    client, paper, codes, session_factory
):
    world = paper.world
    cast_online(client, world, codes)
    _exclusive(session_factory, world, [[3, 99]])
    r = client.get(f"/api/processes/{world.process_id}/results", headers=paper.organizer.headers)
    assert_error(r, 409, "count_refused")
    assert "99" in r.text


def test_exclusive_groups_are_checked_when_a_process_is_made(client, organizer):
    base = {"name": "Groups", "budget_cents": 100_000_00}
    for groups in ([[1, 1]], [[4]], [[0, 2]]):
        r = client.post(
            "/api/processes", headers=organizer.headers, json={**base, "count_exclusive": groups}
        )
        assert r.status_code == 422, (groups, r.text)
    r = client.post(
        "/api/processes",
        headers=organizer.headers,
        json={**base, "count_exclusive": [[12, 40], [7, 9]], "count_fill": "stop"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["count_exclusive"] == [[12, 40], [7, 9]]
    assert r.json()["count_fill"] == "stop"
