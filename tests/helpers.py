"""Small helpers shared by the tests."""

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from app.audit import AuditEntry


def count(session: Session, model: Any, *where: Any) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def audit_actions(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
    return [(row.action, row.outcome) for row in rows]


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is a 4xx in pbvote's one error shape."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"error", "message"}, body
    assert isinstance(body["message"], str) and len(body["message"]) > 10, body
    if code is not None:
        assert body["error"] == code, body
    return body


PROCESS = {
    "name": "Eastside PB 2027",
    "description": "Residents decide on $150,000.",
    "budget_cents": 150_000_00,
    "currency": "USD",
    "ballot_size": 5,
    "languages": ["en", "es", "vi"],
}


def put_on_ballot(session_factory: Any, process_id: int, count: int = 5) -> list[int]:
    """Approved proposals with ballot numbers 1..count, so the process may open voting."""
    from app.proposals.models import Proposal

    with session_factory() as session:
        proposals = [
            Proposal(
                process_id=process_id,
                title=f"Project {n}",
                summary="A project.",
                cost_cents=10_000_00,
                status="approved",
                ballot_number=n,
            )
            for n in range(1, count + 1)
        ]
        session.add_all(proposals)
        session.commit()
        return [p.id for p in proposals]


def store_ballot(session_factory: Any, process_id: int, ranking: list[int]) -> None:
    """One ballot row, as casting stores it (for tests about what happens after the vote)."""
    import secrets

    from app.db import utcnow
    from app.voting.models import Ballot

    with session_factory() as session:
        session.add(
            Ballot(
                id=secrets.token_hex(16),
                process_id=process_id,
                ranking=ranking,
                channel="online",
                cast_on=utcnow().date(),
            )
        )
        session.commit()
