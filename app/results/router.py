from typing import Annotated

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from app.audit import Actor
from app.auth import CurrentOrganizer, OptionalUser
from app.db import SessionDep
from app.errors import BadInput, Conflict, Forbidden, NotAuthenticated, NotFound, error_responses
from app.ids import ProcessId, ProposalId
from app.processes.service import get_process
from app.results import awards, service
from app.results.models import AwardStatus

router = APIRouter(prefix="/api/processes", tags=["results and funding"])
_errors = error_responses(NotAuthenticated, Forbidden, NotFound, Conflict, BadInput)


class AwardIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    amount_cents: Annotated[int, Field(strict=True, gt=0, le=10**15)]
    organisation: str = Field(min_length=1, max_length=200)
    status: AwardStatus = AwardStatus.awarded
    note: str | None = Field(default=None, max_length=2000)


@router.get("/{process_id}/results", responses=_errors)
def get_results(session: SessionDep, user: OptionalUser, process_id: int = ProcessId):
    process = get_process(session=session, process_id=process_id)
    return service.results_for(session=session, process=process, user=user)


class PublishIn(BaseModel):
    """Publish the official result now (no `publish_at`), or at a set moment (with its
    offset, e.g. 2027-06-01T09:00:00-04:00)."""

    model_config = ConfigDict(extra="forbid")

    publish_at: AwareDatetime | None = None


@router.post("/{process_id}/results/publish", responses=_errors)
def publish_results(
    session: SessionDep, organizer: CurrentOrganizer, body: PublishIn, process_id: int = ProcessId
):
    official = service.publish_result(
        session=session, actor=Actor.of(organizer), process_id=process_id, at=body.publish_at
    )
    return {"process_id": process_id, "publish_at": official.publish_at.isoformat()}


@router.put("/{process_id}/projects/{proposal_id}/award", responses=_errors)
def put_award(
    body: AwardIn,
    session: SessionDep,
    organizer: CurrentOrganizer,
    process_id: int = ProcessId,
    proposal_id: int = ProposalId,
):
    process = get_process(session=session, process_id=process_id)
    awards.record_award(
        session=session,
        user=organizer,
        process=process,
        proposal_id=proposal_id,
        amount_cents=body.amount_cents,
        organisation=body.organisation,
        status=body.status,
        note=body.note,
    )
    return awards.funded_projects(session=session, process=process)


@router.get("/{process_id}/projects", responses=error_responses(NotFound, Forbidden))
def list_projects(session: SessionDep, user: OptionalUser, process_id: int = ProcessId):
    process = get_process(session=session, process_id=process_id)
    service.official_for(session=session, process=process, user=user)  # refused unpublished
    rows = awards.funded_projects(session=session, process=process)
    return {
        "process_id": process.id,
        "budget_cents": process.budget_cents,
        "awarded_cents": sum(row["amount_cents"] or 0 for row in rows),
        "projects": rows,
    }
