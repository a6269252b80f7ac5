"""A closed process is an archive: only the delivery progress of a funded project changes."""

from sqlalchemy import select

from app.audit import AuditEntry
from tests.helpers import assert_error
from tests.results.test_results_and_exports import cast_online, to_funding


def test_in_closed_only_an_awards_status_and_note_change(client, paper, codes, session_factory):
    pid = paper.world.process_id
    cast_online(client, paper.world, codes, rankings=[[3], [3, 1]])
    to_funding(client, paper)
    funded, also_funded = paper.world.proposals[2], paper.world.proposals[0]  # numbers 3, 1
    award = {"amount_cents": 9_500_00, "organisation": "Foodlink", "status": "awarded"}

    def put(proposal, body):
        return client.put(
            f"/api/processes/{pid}/projects/{proposal}/award",
            headers=paper.organizer.headers,
            json=body,
        )

    assert put(funded, award).status_code == 200
    r = client.post(
        f"/api/processes/{pid}/transitions",
        headers=paper.organizer.headers,
        json={"to": "closed", "reason": "Delivery is tracked from here."},
    )
    assert r.status_code == 201, r.text

    progress = put(funded, {**award, "status": "completed", "note": "Opened in May."})
    assert progress.status_code == 200, progress.text
    row = next(
        p
        for p in client.get(f"/api/processes/{pid}/projects").json()["projects"]
        if p["proposal_id"] == funded
    )
    assert row["status"] == "completed" and row["amount_cents"] == 9_500_00
    for changed in (
        (funded, {**award, "amount_cents": 9_000_00}),
        (funded, {**award, "organisation": "Someone else"}),
        (also_funded, award),  # no award was made before closing
    ):
        assert_error(put(*changed), 409, "process_closed")
    with session_factory() as session:
        outcomes = (
            session.execute(
                select(AuditEntry.outcome)
                .where(AuditEntry.action == "funding.award")
                .order_by(AuditEntry.seq)
            )
            .scalars()
            .all()
        )
    assert outcomes == ["ok", "ok", "refused", "refused", "refused"]
