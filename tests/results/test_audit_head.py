"""The audit chain's head is published with the official result: a cut log is found."""

from sqlalchemy import delete, select

from app import audit
from app.audit import AuditEntry, AuditHead
from tests.results.test_results_and_exports import cast_online, to_funding


def test_funding_publishes_the_audit_head_and_a_cut_log_fails_against_it(
    client, paper, codes, session_factory
):
    pid = paper.world.process_id
    cast_online(client, paper.world, codes)
    to_funding(client, paper)
    view = client.get(f"/api/processes/{pid}/results").json()
    exported = client.get(f"/api/processes/{pid}/exports/results.json").json()
    head, seq = view["audit_head"], view["audit_head_seq"]
    assert exported["audit_head"] == head and len(head) == 64
    page = client.get(f"/processes/{pid}/results", headers={"Accept": "text/html"})
    assert head in page.text
    with session_factory() as session:
        official = session.get(AuditEntry, seq)
        assert official.action == "results.official" and official.hash == head
        assert audit.verify_chain(session=session, expect_heads=[head]).ok
        # A database writer removes the count's entry and everything after, fixes the head.
        session.execute(delete(AuditEntry).where(AuditEntry.seq >= seq))
        before = session.execute(select(AuditEntry.hash).where(AuditEntry.seq == seq - 1))
        session.execute(AuditHead.__table__.update().values(seq=seq - 1, hash=before.scalar_one()))
        assert audit.verify_chain(session=session).ok
        check = audit.verify_chain(session=session, expect_heads=[head])
        assert not check.ok and head in check.problem
