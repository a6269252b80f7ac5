"""A process's count rules say whether funding skips a project that no longer fits or
stops there; the official result, the export and its recount command follow."""

import pytest

from app.processes.models import Process
from app.proposals.models import Proposal
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
