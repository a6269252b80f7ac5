"""Funding: what each selected project was awarded, to whom, and how delivery goes."""

from sqlalchemy import func, select
from sqlmodel import Session

from app import audit
from app.audit import Actor
from app.db import utcnow
from app.errors import Conflict, NotFound
from app.processes.models import Process
from app.processes.phases import AWARDS, Phase, process_for_change
from app.proposals.models import Proposal
from app.results.models import AwardStatus, OfficialResult, ProjectAward
from app.users.models import User
from app.web.i18n import DEFAULT, format_money


def record_award(
    *,
    session: Session,
    user: User,
    process: Process,
    proposal_id: int,
    amount_cents: int,
    organisation: str,
    status: AwardStatus,
    note: str | None,
) -> ProjectAward:
    target = f"proposal:{proposal_id}"
    # Not shared: awards of one process are recorded one at a time, so two cannot both fit
    # under the budget the other fills.
    process = process_for_change(
        session=session,
        process_id=process.id,
        allowed=AWARDS,
        action="funding.award",
        target=target,
    )
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.process_id != process.id:
        raise NotFound("There is no such proposal in this process.", field="proposal_id")
    official = session.get(OfficialResult, process.id)
    selected = official.result["selected"] if official else []
    if str(proposal.ballot_number) not in selected:
        raise Conflict(
            f"“{proposal.title}” was not selected by the count; only funded projects get awards.",
            code="not_selected",
            field="proposal_id",
            audit=("funding.award", target),
        )
    award = session.execute(
        select(ProjectAward).where(ProjectAward.proposal_id == proposal_id).with_for_update()
    ).scalar_one_or_none()
    if process.phase == Phase.closed.value:
        _only_progress(award, amount_cents, organisation, target)
    others = session.execute(
        select(func.coalesce(func.sum(ProjectAward.amount_cents), 0)).where(
            ProjectAward.process_id == process.id, ProjectAward.proposal_id != proposal_id
        )
    ).scalar_one()
    if others + amount_cents > process.budget_cents:
        raise Conflict(
            f"Awards would total {_money(others + amount_cents, process)}, more than the "
            f"budget of {_money(process.budget_cents, process)}.",
            code="over_budget",
            field="amount_cents",
            audit=("funding.award", target),
        )
    if amount_cents > proposal.cost_cents:
        raise Conflict(
            f"An award of {_money(amount_cents, process)} is more than the "
            f"{_money(proposal.cost_cents, process)} that “{proposal.title}” costs; "
            "a project is awarded at most its cost.",
            code="over_cost",
            field="amount_cents",
            audit=("funding.award", target),
        )
    if award is None:
        award = ProjectAward(
            process_id=process.id,
            proposal_id=proposal_id,
            amount_cents=amount_cents,
            organisation=organisation,
            status=status.value,
            note=note,
            updated_by_id=user.id,
        )
    else:
        award.amount_cents, award.organisation = amount_cents, organisation
        award.status, award.note = status.value, note
        award.updated_by_id, award.updated_at = user.id, utcnow()
    audit.saved(
        session,
        award,
        actor=Actor.of(user),
        action="funding.award",
        target=target,
        detail={"amount_cents": amount_cents, "organisation": organisation, "status": status.value},
    )
    return award


def _money(cents: int, process: Process) -> str:
    """Money said in a message: in the process's currency, never in cents."""
    return format_money(DEFAULT, cents, process.currency)


def funded_projects(*, session: Session, process: Process) -> list[dict]:
    official = session.get(OfficialResult, process.id)
    if official is None:
        return []
    by_number = {
        str(p.ballot_number): p
        for p in session.execute(
            select(Proposal).where(
                Proposal.process_id == process.id, Proposal.ballot_number.is_not(None)
            )
        ).scalars()
    }
    awards = {
        a.proposal_id: a
        for a in session.execute(
            select(ProjectAward).where(ProjectAward.process_id == process.id)
        ).scalars()
    }
    rows = []
    for position, number in enumerate(official.result["selected"], start=1):
        proposal = by_number[number]
        award = awards.get(proposal.id)
        rows.append(
            {
                "funding_order": position,
                "proposal_id": proposal.id,
                "ballot_number": proposal.ballot_number,
                "title": proposal.title,
                "cost_cents": proposal.cost_cents,
                "amount_cents": award.amount_cents if award else None,
                "organisation": award.organisation if award else None,
                "status": award.status if award else "not_yet_awarded",
                "note": award.note if award else None,
                "updated_at": award.updated_at.isoformat() if award else None,
            }
        )
    return rows


def _only_progress(
    award: ProjectAward | None, amount_cents: int, organisation: str, target: str
) -> None:
    """A closed process is an archive; only how delivery goes may still be recorded."""
    if award is None or (award.amount_cents, award.organisation) != (amount_cents, organisation):
        raise Conflict(
            "The process is closed: awards can no longer be made or changed; only the "
            "status and note of an existing award may be updated.",
            code="process_closed",
            audit=("funding.award", target),
        )
