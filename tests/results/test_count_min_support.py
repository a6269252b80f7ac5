"""A process's count rules carry the least support a project needs to be funded; the
official result, the exported .pb (META min_support) and its recount follow."""

import json

from app.processes.models import Process
from app.tally.cli import main
from tests.helpers import assert_error
from tests.results.test_results_and_exports import RANKINGS, cast_online, to_funding

# Ballots naming each project in RANKINGS: 1: 2, 2: 4, 3: 4, 4: 2, 5: 2, 6: 1, 7: 1, 8: 1.
NAMED_ONCE = {"6", "7", "8"}


def test_min_support_decides_the_official_result_the_export_and_its_recount(
    client, paper, codes, session_factory, tmp_path, capsys
):
    world = paper.world
    cast_online(client, world, codes)
    with session_factory() as session:
        session.get(Process, world.process_id).count_min_support = "votes:2"
        session.commit()
    to_funding(client, paper)
    result = client.get(f"/api/processes/{world.process_id}/results").json()["result"]
    assert result["rules"]["min_support"] == "votes:2"
    assert not NAMED_ONCE & set(result["selected"]) and result["selected"]
    assert any(note.startswith("minimum support votes:2 (") for note in result["notes"])
    assert result["ballots_counted"] == len(RANKINGS)
    exported = client.get(f"/api/processes/{world.process_id}/exports/ballots.pb").text
    assert "min_support;votes:2\n" in exported and "--min-support votes:2" in exported
    assert "rule;borda\n" in exported
    path = tmp_path / "ballots.pb"
    path.write_text(exported, encoding="utf-8")
    # The recount reads the rule, the tie-break and the minimum support from the file.
    assert main([str(path), "--json"]) == 0
    recount = json.loads(capsys.readouterr().out)
    assert recount["selected"] == result["selected"]
    assert recount["rules"]["min_support"] == "votes:2"
    assert "the file's rule 'borda' is what this count does" in recount["notes"][-1]


def test_min_support_is_a_rule_checked_when_made_and_fixed_after_design(client, organizer, paper):
    base = {"name": "Support", "budget_cents": 100_000_00}
    for bad in ("many", "votes:-1", "votes:1.5", "points:101%", "votes:" + "9" * 20):
        r = client.post(
            "/api/processes", headers=organizer.headers, json={**base, "count_min_support": bad}
        )
        assert r.status_code == 422, (bad, r.text)
    r = client.post(
        "/api/processes",
        headers=organizer.headers,
        json={**base, "count_method": "irv", "count_min_support": "votes:3"},
    )
    assert r.status_code == 422 and "count_min_support" in r.text
    r = client.post(
        "/api/processes", headers=organizer.headers, json={**base, "count_min_support": "5%"}
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["count_min_support"] == "votes:5%"
    # In design: an irv count cannot keep a minimum support.
    r = client.patch(
        f"/api/processes/{made['id']}", headers=organizer.headers, json={"count_method": "irv"}
    )
    assert_error(r, 409, "invalid_rules")
    r = client.patch(
        f"/api/processes/{made['id']}",
        headers=organizer.headers,
        json={"count_min_support": "points:0.5%"},
    )
    assert r.status_code == 200 and r.json()["count_min_support"] == "points:0.5%"
    pid = paper.world.process_id
    assert (
        client.get(f"/api/processes/{pid}", headers=organizer.headers).json()["count_min_support"]
        == "votes:1"
    )
    r = client.patch(
        f"/api/processes/{pid}", headers=organizer.headers, json={"count_min_support": "votes:9"}
    )
    assert r.status_code == 409, r.text
