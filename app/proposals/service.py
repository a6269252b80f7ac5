"""Proposals and the ballot list."""

from sqlalchemy import select
from sqlmodel import Session

from app.proposals.models import Proposal, ProposalStatus


def ballot_proposals(*, session: Session, process_id: int) -> list[Proposal]:
    """The proposals on this process's ballot, in ballot-number order."""
    return list(
        session.execute(
            select(Proposal)
            .where(Proposal.process_id == process_id, Proposal.status == ProposalStatus.approved)
            .order_by(Proposal.ballot_number)
        ).scalars()
    )
