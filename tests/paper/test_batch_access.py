"""Paper batches are for organizers and the poll workers of their site, nobody else."""

from app.users.models import Role
from tests.helpers import assert_error
from tests.paper.test_batches import new_batch
from tests.voting.helpers import audit_entries


def test_only_organizers_and_the_sites_poll_workers_read_a_batch(
    client, paper, make_staff, session_factory
):
    batch = new_batch(client, paper)
    pid = paper.world.process_id
    for reader in (paper.organizer, paper.first, paper.second):
        r = client.get(f"/api/paper-batches/{batch}", headers=reader.headers)
        assert r.status_code == 200 and r.json()["id"] == batch
        listed = client.get(f"/api/processes/{pid}/paper-batches", headers=reader.headers)
        assert [b["id"] for b in listed.json()] == [batch]

    delegate = make_staff(Role.delegate)
    for stranger in (paper.outsider, delegate):
        r = client.get(f"/api/paper-batches/{batch}", headers=stranger.headers)
        assert_error(r, 403)
    # The outsider's own site has no batch: the list shows nothing of the other site.
    listed = client.get(f"/api/processes/{pid}/paper-batches", headers=paper.outsider.headers)
    assert listed.status_code == 200 and listed.json() == []
    assert_error(client.get(f"/api/processes/{pid}/paper-batches", headers=delegate.headers), 403)
    refused = [e.outcome for e in audit_entries(session_factory, "paper.read")]
    assert refused == ["refused"] * 3
