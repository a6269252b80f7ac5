from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from sqlmodel import Session

from app.audit import Actor
from app.auth import CurrentOrganizer, OptionalUser, require_role
from app.db import SessionDep
from app.errors import BadInput, Conflict, Forbidden, NotAuthenticated, NotFound, error_responses
from app.ids import ProcessId, ProposalId
from app.processes import service as processes
from app.proposals import service
from app.proposals.models import Proposal
from app.proposals.schemas import (
    BallotOut,
    ProposalCreate,
    ProposalOut,
    ProposalUpdate,
    ReturnRequest,
)
from app.users.models import Role, User

router = APIRouter(prefix="/api", tags=["proposals"])

ProposalWriter = Annotated[User, Depends(require_role(Role.delegate, Role.organizer))]
_staff_errors = error_responses(NotAuthenticated, Forbidden, NotFound, Conflict, BadInput)


def proposal_out(session: Session, proposal: Proposal) -> ProposalOut:
    process = processes.get_process(session=session, process_id=proposal.process_id)
    return ProposalOut.model_validate(
        {
            **proposal.model_dump(),
            "idea_ids": service.idea_ids_of(session=session, proposal_id=proposal.id),
            "stale_translations": service.stale_languages(proposal),
            "missing_for_ballot": service.missing_for_ballot(process, proposal),
        }
    )


@router.post(
    "/processes/{process_id}/proposals",
    response_model=ProposalOut,
    status_code=201,
    responses=_staff_errors,
)
def create_proposal(
    body: ProposalCreate, session: SessionDep, writer: ProposalWriter, process_id: int = ProcessId
):
    """Write a costed proposal from one or more ideas (delegates, organizers;
    proposal_development only)."""
    proposal = service.create_proposal(
        session=session, actor=Actor.of(writer), process_id=process_id, data=body
    )
    return proposal_out(session, proposal)


@router.get(
    "/processes/{process_id}/proposals",
    response_model=list[ProposalOut],
    responses=error_responses(NotFound),
)
def list_proposals(session: SessionDep, user: OptionalUser, process_id: int = ProcessId):
    """Staff see every proposal; the public sees the approved ones once voting has opened."""
    proposals = service.list_proposals(
        session=session, process_id=process_id, staff=user is not None
    )
    return [proposal_out(session, p) for p in proposals]


@router.get(
    "/processes/{process_id}/ballot",
    response_model=BallotOut,
    responses=error_responses(Forbidden, NotFound),
)
def ballot(
    session: SessionDep,
    user: OptionalUser,
    process_id: int = ProcessId,
    lang: str | None = Query(default=None, max_length=35, description="e.g. es"),
    accept_language: str | None = Header(default=None),
):
    """The ballot in ballot-number order, with costs, in the language asked for (?lang=,
    then Accept-Language, else the process's first language). Public once voting opens."""
    return service.ballot_of(
        session=session,
        process_id=process_id,
        staff=user is not None,
        asked=lang,
        accept_language=accept_language,
    )


@router.get(
    "/proposals/{proposal_id}", response_model=ProposalOut, responses=error_responses(NotFound)
)
def get_proposal(session: SessionDep, user: OptionalUser, proposal_id: int = ProposalId):
    """Staff see any proposal; the public an approved one once voting has opened."""
    staff = user is not None
    proposal = service.get_proposal(session=session, proposal_id=proposal_id, staff=staff)
    return proposal_out(session, proposal)


@router.patch("/proposals/{proposal_id}", response_model=ProposalOut, responses=_staff_errors)
def update_proposal(
    body: ProposalUpdate, session: SessionDep, writer: ProposalWriter, proposal_id: int = ProposalId
):
    """Edit a draft or returned proposal (delegates, organizers; proposal_development only).
    Editing a returned proposal makes it a draft again."""
    proposal = service.update_proposal(
        session=session, actor=Actor.of(writer), proposal_id=proposal_id, changes=body
    )
    return proposal_out(session, proposal)


@router.post("/proposals/{proposal_id}/submit", response_model=ProposalOut, responses=_staff_errors)
def submit_proposal(session: SessionDep, writer: ProposalWriter, proposal_id: int = ProposalId):
    """Send a draft or returned proposal for approval (delegates, organizers). Refused while it
    lacks a language of the process or an answer of the equity assessment; it cannot be
    edited again until an organizer returns it."""
    proposal = service.submit_proposal(
        session=session, actor=Actor.of(writer), proposal_id=proposal_id
    )
    return proposal_out(session, proposal)


@router.post(
    "/proposals/{proposal_id}/approve", response_model=ProposalOut, responses=_staff_errors
)
def approve_proposal(
    session: SessionDep, organizer: CurrentOrganizer, proposal_id: int = ProposalId
):
    """Put the proposal on the ballot with the next free ballot number (organizers). Refused
    (409 proposal_incomplete, naming what is missing) unless it has every language of the
    process and an answer to every question of its equity assessment."""
    proposal = service.approve_proposal(
        session=session, actor=Actor.of(organizer), proposal_id=proposal_id
    )
    return proposal_out(session, proposal)


@router.post("/proposals/{proposal_id}/return", response_model=ProposalOut, responses=_staff_errors)
def return_proposal(
    body: ReturnRequest,
    session: SessionDep,
    organizer: CurrentOrganizer,
    proposal_id: int = ProposalId,
):
    """Send the proposal back to the delegates with a reason (organizers); it leaves the
    ballot if it was on it."""
    proposal = service.return_proposal(
        session=session, actor=Actor.of(organizer), proposal_id=proposal_id, reason=body.reason
    )
    return proposal_out(session, proposal)
