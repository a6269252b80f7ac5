"""Batches, double entry, adjudication, closing, reconciliation, through the API."""

import pytest
from sqlalchemy import func, select

from app.paper.models import PaperBatch, PaperEntry, PaperSheet
from tests.helpers import assert_error, audit_actions
from tests.voting.helpers import set_phase


def rows(session_factory) -> dict[str, int]:
    with session_factory() as session:
        return {
            m.__name__: session.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (PaperBatch, PaperEntry, PaperSheet)
        }


def new_batch(client, paper, sheets=3, who=None, site=None):
    r = client.post(
        f"/api/processes/{paper.world.process_id}/paper-batches",
        headers=(who or paper.first).headers,
        json={"site_id": site or paper.world.sites[0], "declared_sheets": sheets},
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def enter(client, who, batch, sheet, marks=((1, 1), (2, 2)), **flags):
    body = {"sheet": sheet, "marks": [{"rank": r, "ballot_number": n} for r, n in marks], **flags}
    return client.post(f"/api/paper-batches/{batch}/entries", headers=who.headers, json=body)


def test_two_agreeing_passes_settle_a_sheet(client, paper):
    batch = new_batch(client, paper)
    first = enter(client, paper.first, batch, 1, ((2, 5), (1, 3)))
    assert first.status_code == 201 and first.json() == {
        "sheet": 1,
        "pass_number": 1,
        "state": "pending",
    }
    # The same marks typed in another order are the same sheet.
    second = enter(client, paper.second, batch, 1, ((1, 3), (2, 5)))
    assert second.json() == {"sheet": 1, "pass_number": 2, "state": "settled"}
    info = client.get(f"/api/paper-batches/{batch}", headers=paper.organizer.headers).json()
    assert (info["sheets_settled"], info["sheets_missing"]) == (1, 2)


def test_differing_passes_wait_for_an_organizer(client, paper, session_factory):
    batch = new_batch(client, paper)
    enter(client, paper.first, batch, 2, ((1, 3), (2, 5)))
    r = enter(client, paper.second, batch, 2, ((1, 3), (2, 6)))
    assert r.json()["state"] == "disputed"
    listed = client.get(
        f"/api/paper-batches/{batch}/discrepancies", headers=paper.organizer.headers
    ).json()
    assert [d["sheet"] for d in listed] == [2]
    assert [[m["ballot_number"] for m in e["marks"]] for e in listed[0]["entries"]] == [
        [3, 5],
        [3, 6],
    ]
    # Poll workers cannot decide; organizers do, with a reason.
    resolve = {
        "marks": [{"rank": 1, "ballot_number": 3}, {"rank": 2, "ballot_number": 6}],
        "reason": "Checked the sheet: the second mark is 6.",
    }
    assert_error(
        client.post(
            f"/api/paper-batches/{batch}/sheets/2/resolve",
            headers=paper.first.headers,
            json=resolve,
        ),
        403,
    )
    done = client.post(
        f"/api/paper-batches/{batch}/sheets/2/resolve",
        headers=paper.organizer.headers,
        json=resolve,
    )
    assert done.status_code == 200 and done.json()["state"] == "settled"
    with session_factory() as session:
        sheet = session.get(PaperSheet, (batch, 2))
        assert sheet.marks == [[1, 3], [2, 6]] and "second mark" in sheet.resolution_reason
        assert ("paper.resolve", "ok") in audit_actions(session)
    again = client.post(
        f"/api/paper-batches/{batch}/sheets/2/resolve",
        headers=paper.organizer.headers,
        json=resolve,
    )
    assert_error(again, 409, "not_disputed")


def test_one_person_cannot_type_both_passes(client, paper, session_factory):
    batch = new_batch(client, paper)
    enter(client, paper.first, batch, 1)
    before = rows(session_factory)
    assert_error(enter(client, paper.first, batch, 1), 409, "same_person")
    assert rows(session_factory) == before


def test_no_third_pass(client, paper, session_factory):
    batch = new_batch(client, paper)
    enter(client, paper.first, batch, 1)
    enter(client, paper.second, batch, 1)
    before = rows(session_factory)
    assert_error(enter(client, paper.organizer, batch, 1), 409, "third_pass")
    assert rows(session_factory) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sheet": 4, "marks": []}, "sheet"),
        ({"sheet": 0, "marks": []}, "sheet"),
        ({"sheet": 1, "marks": [{"rank": 1, "ballot_number": 0}]}, "marks.0.ballot_number"),
        ({"sheet": 1, "marks": [{"rank": 1, "ballot_number": 1000}]}, "marks.0.ballot_number"),
        ({"sheet": 1, "marks": [{"rank": 0, "ballot_number": 3}]}, "marks.0.rank"),
        ({"sheet": 1, "marks": [{"rank": 1.5, "ballot_number": 3}]}, "marks.0.rank"),
        ({"sheet": 1, "marks": [{"rank": 1, "ballot_number": 3}], "blank": True}, None),
        ({"sheet": 1, "marks": [], "extra": 1}, "extra"),
    ],
)
def test_bad_entries_are_refused_and_store_nothing(client, paper, session_factory, body, field):
    batch = new_batch(client, paper)
    before = rows(session_factory)
    r = client.post(f"/api/paper-batches/{batch}/entries", headers=paper.first.headers, json=body)
    error = assert_error(r, 422)
    if field:
        assert error["field"] == field
    assert rows(session_factory) == before


def test_a_number_not_on_the_ballot_is_kept_as_written(client, paper, session_factory):
    batch = new_batch(client, paper, sheets=1)
    assert enter(client, paper.first, batch, 1, ((1, 42),)).status_code == 201
    with session_factory() as session:
        assert session.execute(select(PaperEntry.marks)).scalar_one() == [[1, 42]]


def test_batches_belong_to_a_voting_site_of_the_process(client, paper, session_factory):
    other_site = client.post(
        f"/api/processes/{paper.world.other_process_id}/paper-batches",
        headers=paper.organizer.headers,
        json={"site_id": paper.world.sites[0], "declared_sheets": 2},
    )
    # The other process is voting too: its batch cannot take this process's site.
    assert "no such voting site" in assert_error(other_site, 404)["message"]
    event = client.post(
        f"/api/processes/{paper.world.process_id}/sites",
        headers=paper.organizer.headers,
        json={"name": "Idea night", "kind": "event", "address": "1 Main St"},
    )
    assert event.status_code == 201, event.text
    not_voting_site = client.post(
        f"/api/processes/{paper.world.process_id}/paper-batches",
        headers=paper.organizer.headers,
        json={"site_id": event.json()["id"], "declared_sheets": 2},
    )
    assert "not a voting site" in assert_error(not_voting_site, 422)["message"]
    r = client.post(
        f"/api/processes/{paper.world.process_id}/paper-batches",
        headers=paper.organizer.headers,
        json={"site_id": 999999, "declared_sheets": 2},
    )
    assert_error(r, 404)
    assert rows(session_factory)["PaperBatch"] == 0


def test_only_assigned_poll_workers_work_on_a_site(client, paper, session_factory):
    r = client.post(
        f"/api/processes/{paper.world.process_id}/paper-batches",
        headers=paper.outsider.headers,
        json={"site_id": paper.world.sites[0], "declared_sheets": 2},
    )
    assert_error(r, 403, "not_assigned")
    batch = new_batch(client, paper)
    assert_error(enter(client, paper.outsider, batch, 1), 403, "not_assigned")
    assert rows(session_factory)["PaperEntry"] == 0


def test_closing_needs_every_sheet_settled(client, paper, session_factory):
    batch = new_batch(client, paper, sheets=2)
    enter(client, paper.first, batch, 1)
    enter(client, paper.second, batch, 1)
    enter(client, paper.first, batch, 2)
    body = assert_error(
        client.post(f"/api/paper-batches/{batch}/close", headers=paper.first.headers),
        409,
        "batch_incomplete",
    )
    assert "1 typed in once" in body["message"]
    enter(client, paper.second, batch, 2)
    closed = client.post(f"/api/paper-batches/{batch}/close", headers=paper.first.headers)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    # Closed batches are read-only.
    before = rows(session_factory)
    assert_error(enter(client, paper.organizer, batch, 1), 409, "batch_not_open")
    assert_error(
        client.post(
            f"/api/paper-batches/{batch}/exclude",
            headers=paper.organizer.headers,
            json={"reason": "late"},
        ),
        409,
        "batch_not_open",
    )
    assert rows(session_factory) == before


def test_funding_waits_for_every_batch(client, paper, session_factory):
    batch = new_batch(client, paper, sheets=1)
    pid = paper.world.process_id

    def move():
        return client.post(
            f"/api/processes/{pid}/transitions",
            headers=paper.organizer.headers,
            json={"to": "funding", "reason": "Voting is over."},
        )

    body = assert_error(move(), 409, "transition_refused")
    assert "1 paper batch is still open" in body["message"]
    assert_error(
        client.post(
            f"/api/paper-batches/{batch}/exclude",
            headers=paper.first.headers,
            json={"reason": "Box damaged in the rain."},
        ),
        403,
    )
    excluded = client.post(
        f"/api/paper-batches/{batch}/exclude",
        headers=paper.organizer.headers,
        json={"reason": "Box damaged in the rain."},
    )
    assert excluded.json()["status"] == "excluded"
    after = move()
    # The batch no longer holds funding back (what remains: this test cast no ballot).
    assert after.status_code == 201 or "paper batch" not in after.json()["message"]


def test_no_paper_outside_voting(client, paper, session_factory):
    set_phase(session_factory, paper.world.process_id, "proposal_development")
    r = client.post(
        f"/api/processes/{paper.world.process_id}/paper-batches",
        headers=paper.organizer.headers,
        json={"site_id": paper.world.sites[0], "declared_sheets": 2},
    )
    assert_error(r, 409, "wrong_phase")


def test_rules_are_published_and_frozen_after_design(client, paper, session_factory):
    pid = paper.world.process_id
    rules = client.get(f"/api/processes/{pid}/paper-rules").json()
    assert (rules["overvote"], rules["skipped_rank"]) == ("skip_rank", "close_gap")
    assert any("best rank" in line for line in rules["description"])
    change = {"overvote": "end_ballot", "skipped_rank": "end_ballot"}
    assert_error(
        client.put(
            f"/api/processes/{pid}/paper-rules", headers=paper.organizer.headers, json=change
        ),
        409,
        "rules_frozen",
    )
    set_phase(session_factory, pid, "design")
    r = client.put(
        f"/api/processes/{pid}/paper-rules", headers=paper.organizer.headers, json=change
    )
    assert r.status_code == 200 and r.json()["overvote"] == "end_ballot"
    assert_error(
        client.put(f"/api/processes/{pid}/paper-rules", headers=paper.first.headers, json=change),
        403,
    )


def test_reconciliation_compares_check_ins_and_sheets(client, paper, session_factory):
    pid, site = paper.world.process_id, paper.world.sites[0]
    for n in range(3):
        r = client.post(
            f"/api/processes/{pid}/check-ins",
            headers=paper.first.headers,
            json={
                "site_id": site,
                "mode": "paper",
                "identity": {
                    "name": f"Voter {n}",
                    "birth_date": f"1980-01-0{n + 1}",
                    "postal_code": "14605",
                },
            },
        )
        assert r.status_code == 201, r.text
    batch = new_batch(client, paper, sheets=2)
    for sheet in (1, 2):
        enter(client, paper.first, batch, sheet)
    report = client.get(
        f"/api/processes/{pid}/paper-reconciliation", headers=paper.organizer.headers
    ).json()
    by_site = {row["site_id"]: row for row in report["sites"]}
    assert (
        by_site[site]["paper_check_ins"],
        by_site[site]["sheets_entered"],
        by_site[site]["difference"],
    ) == (3, 2, -1)
    assert by_site[paper.world.sites[1]]["difference"] == 0
    assert report["sites_with_difference"] == 1
    # The turnout view shows the same numbers.
    turnout = client.get(f"/api/processes/{pid}/turnout", headers=paper.organizer.headers).json()
    assert turnout["paper"]["check_ins"] == 3 and turnout["paper"]["sheets_entered"] == 2
    assert turnout["paper"]["sites"] == report["sites"]
    assert_error(
        client.get(f"/api/processes/{pid}/paper-reconciliation", headers=paper.first.headers), 403
    )
