"""Building blocks for voting tests: a process with a ballot and sites, and row counts."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from app.audit import SYSTEM, AuditEntry
from app.db import open_session, utcnow
from app.processes.models import Process
from app.proposals.models import Proposal
from app.sites.models import Site
from app.users.models import LoginThrottle
from app.voting.models import AccessCode, Ballot, BallotReceipt, KioskTicket, Participation
from app.voting.service import generate_access_codes

SEED = "5eed" * 8


@dataclass
class World:
    process_id: int
    proposals: list[int]
    sites: list[int]
    draft_proposal: int
    other_process_id: int
    other_proposal: int
    extra: dict = field(default_factory=dict)


def make_process(
    session: Session,
    *,
    phase: str = "voting",
    ballot_size: int = 5,
    opens: datetime | None = None,
    closes: datetime | None = None,
    name: str = "Test PB",
) -> Process:
    process = Process(
        name=name,
        phase=phase,
        budget_cents=100_000_00,
        currency="USD",
        ballot_size=ballot_size,
        languages=["en"],
        voting_opens_at=opens,
        voting_closes_at=closes,
        # A real opening draws the tie-break seed; these tests put the phase in place directly.
        tie_break_seed=SEED if phase in ("voting", "funding", "closed") else None,
        # Residents' pages are tested here: the process is published (not a draft).
        published_at=utcnow(),
    )
    session.add(process)
    session.flush()
    return process


def add_proposals(session: Session, process_id: int, n: int) -> list[int]:
    proposals = [
        Proposal(
            process_id=process_id,
            title=f"Proposal {i}",
            summary="A project.",
            cost_cents=10_000_00,
            status="approved",
            ballot_number=i,
        )
        for i in range(1, n + 1)
    ]
    session.add_all(proposals)
    session.flush()
    return [p.id for p in proposals]


def add_sites(session: Session, process_id: int, n: int, kind: str = "voting_site") -> list[int]:
    sites = [Site(process_id=process_id, name=f"Site {i}", kind=kind) for i in range(1, n + 1)]
    session.add_all(sites)
    session.flush()
    return [s.id for s in sites]


def build_world(session_factory, *, n_proposals: int = 6, n_sites: int = 2, **process_kw) -> World:
    with session_factory() as session:
        process = make_process(session, **process_kw)
        proposals = add_proposals(session, process.id, n_proposals)
        sites = add_sites(session, process.id, n_sites)
        draft = Proposal(
            process_id=process.id, title="Draft", summary="Not approved.", cost_cents=100
        )
        other = make_process(session, name="Other PB")
        (other_proposal,) = add_proposals(session, other.id, 1)
        session.add(draft)
        session.commit()
        return World(process.id, proposals, sites, draft.id, other.id, other_proposal)


def set_phase(session_factory, process_id: int, phase: str, **fields) -> None:
    with session_factory() as session:
        process = session.get(Process, process_id)
        process.phase = phase
        if phase in ("voting", "funding", "closed") and not process.tie_break_seed:
            process.tie_break_seed = SEED
        for k, v in fields.items():
            setattr(process, k, v)
        session.add(process)
        session.commit()


def counts(session_factory) -> dict[str, int]:
    """What a refused request must leave unchanged."""
    with session_factory() as session:

        def n(stmt) -> int:
            return session.execute(stmt).scalar_one()

        return {
            "ballots": n(select(func.count()).select_from(Ballot)),
            "participation": n(select(func.count()).select_from(Participation)),
            "receipts": n(select(func.count()).select_from(BallotReceipt)),
            "codes_used": n(
                select(func.count()).select_from(AccessCode).where(AccessCode.used_at.is_not(None))
            ),
            "tickets_used": n(
                select(func.count())
                .select_from(KioskTicket)
                .where(KioskTicket.used_at.is_not(None))
            ),
        }


def audit_entries(session_factory, prefix: str = "") -> list[AuditEntry]:
    with session_factory() as session:
        return list(
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.action.startswith(prefix))
                .order_by(AuditEntry.seq)
            ).scalars()
        )


def refusals_counted(client, session_factory, prefix: str = "") -> dict[str, int]:
    """Anonymous refusals by kind, as counted (not chained) once the app wrote them."""
    from app.audit import RefusalCount
    from app.refusals import flush_refusals

    flush_refusals(client.app)
    totals: dict[str, int] = {}
    with session_factory() as session:
        for kind, n in session.execute(select(RefusalCount.kind, RefusalCount.count)):
            if kind.startswith(prefix):
                totals[kind] = totals.get(kind, 0) + n
    return totals


def throttle_rows(session_factory) -> int:
    with session_factory() as session:
        return session.execute(select(func.count()).select_from(LoginThrottle)).scalar_one()


def issue_codes(factory, settings, process_id: int, count: int, label: str) -> list[str]:
    """`count` fresh access codes of the process, committed (for tests that vote for real)."""
    with open_session(factory, write=True) as session:
        _, codes = generate_access_codes(
            session=session,
            settings=settings,
            actor=SYSTEM,
            process_id=process_id,
            count=count,
            label=label,
        )
        session.commit()
    return codes
