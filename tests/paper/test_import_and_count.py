"""CSV import (whole file or nothing, idempotent) and what the count reads from paper."""

import pytest
from sqlalchemy import select

from app.paper.models import PaperEntry
from app.paper.service import paper_ballots
from app.processes.models import Process
from tests.helpers import assert_error
from tests.paper.test_batches import enter, new_batch, rows
from tests.voting.helpers import set_phase

PASS_1 = b"sheet,pass,marks,flag\n1,1,1:3 2:5,\n2,1,,blank\n3,1,1:2 2:2 2:4 3:1,\n"
PASS_2 = b"sheet,pass,marks,flag\n1,2,2:5 1:3,\n2,2,,blank\n3,2,1:2 2:2 2:4 3:1,\n"


def load(client, who, batch, data):
    return client.post(
        f"/api/paper-batches/{batch}/import",
        headers={**who.headers, "Content-Type": "text/csv"},
        content=data,
    )


def test_two_files_by_two_people_settle_a_batch(client, paper, session_factory):
    batch = new_batch(client, paper, sheets=3)
    first = load(client, paper.first, batch, PASS_1)
    assert first.status_code == 200, first.text
    assert (first.json()["entered"], first.json()["already_loaded"]) == (3, False)
    second = load(client, paper.second, batch, PASS_2)
    assert second.json()["entered"] == 3
    info = client.get(f"/api/paper-batches/{batch}", headers=paper.first.headers).json()
    assert info["sheets_settled"] == 3


def test_loading_the_same_file_twice_changes_nothing(client, paper, session_factory):
    batch = new_batch(client, paper, sheets=3)
    load(client, paper.first, batch, PASS_1)
    before = rows(session_factory)
    again = load(client, paper.first, batch, PASS_1)
    assert again.status_code == 200 and again.json()["already_loaded"] is True
    assert "nothing changed" in again.json()["message"]
    assert rows(session_factory) == before


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"", "file"),
        (b"\xef\xbb\xbf" + PASS_1, "line 1"),
        (PASS_1.replace(b"3,1,1:2", b"4,1,1:2"), "line 4"),
        (PASS_1 + b"1,1,1:3,\n", "line 5"),
        ("sheet,pass,marks,flag\n1,1,1:3,señal\n".encode("latin-1"), "line 2"),
    ],
)
def test_a_bad_file_stores_nothing_and_names_the_line(client, paper, session_factory, data, where):
    batch = new_batch(client, paper, sheets=3)
    before = rows(session_factory)
    body = assert_error(load(client, paper.first, batch, data), 422, "bad_csv")
    assert body["field"] == where
    assert rows(session_factory) == before


def test_one_person_cannot_load_both_passes(client, paper, session_factory):
    batch = new_batch(client, paper, sheets=3)
    load(client, paper.first, batch, PASS_1)
    before = rows(session_factory)
    body = assert_error(load(client, paper.first, batch, PASS_2), 409, "same_person")
    assert body["field"] == "line 2"
    assert rows(session_factory) == before


def test_a_file_that_contradicts_typed_entries_is_refused(client, paper, session_factory):
    batch = new_batch(client, paper, sheets=3)
    enter(client, paper.first, batch, 1, ((1, 4),))
    before = rows(session_factory)
    body = assert_error(load(client, paper.second, batch, PASS_1), 409, "entered_differently")
    assert body["field"] == "line 2"
    assert rows(session_factory) == before


def test_the_count_reads_settled_sheets_of_closed_batches_with_the_rules(
    client, paper, session_factory
):
    batch = new_batch(client, paper, sheets=3)
    load(client, paper.first, batch, PASS_1)
    load(client, paper.second, batch, PASS_2)
    with session_factory() as session:
        process = session.get(Process, paper.world.process_id)
        assert paper_ballots(session=session, process=process) == []  # batch still open
    assert (
        client.post(f"/api/paper-batches/{batch}/close", headers=paper.first.headers).status_code
        == 200
    )
    proposals = paper.world.proposals  # ballot numbers 1..8 in this order
    with session_factory() as session:
        process = session.get(Process, paper.world.process_id)
        ballots = sorted(paper_ballots(session=session, process=process), key=lambda b: b.status)
        statuses = [b.status for b in ballots]
        assert statuses == ["blank", "counted", "counted"]
        counted = sorted(b.ranking for b in ballots if b.status == "counted")
        # Sheet 1: 3 then 5. Sheet 3: 2 at rank 1, then 2 again (kept at rank 1) and 4 at
        # rank 2 (no longer an overvote), then 1.
        assert counted == sorted(
            [(proposals[2], proposals[4]), (proposals[1], proposals[3], proposals[0])]
        )
        # Changing the published rules changes what every sheet gives, from the same marks.
        marks_before = session.execute(select(PaperEntry.marks)).scalars().all()
    set_phase(session_factory, paper.world.process_id, "design")
    client.put(
        f"/api/processes/{paper.world.process_id}/paper-rules",
        headers=paper.organizer.headers,
        json={"overvote": "end_ballot", "skipped_rank": "end_ballot"},
    )
    with session_factory() as session:
        process = session.get(Process, paper.world.process_id)
        counted = sorted(
            b.ranking
            for b in paper_ballots(session=session, process=process)
            if b.status == "counted"
        )
        assert counted == sorted(
            [(proposals[2], proposals[4]), (proposals[1], proposals[3], proposals[0])]
        )
        assert session.execute(select(PaperEntry.marks)).scalars().all() == marks_before
