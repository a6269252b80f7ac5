from fastapi import APIRouter

from app.audit import Actor
from app.auth import CurrentOrganizer, OptionalUser
from app.db import SessionDep
from app.errors import BadInput, Conflict, Forbidden, NotAuthenticated, NotFound, error_responses
from app.ids import ProcessId
from app.processes import service
from app.processes.schemas import (
    ArchiveRequest,
    CopyRequest,
    ProcessCreate,
    ProcessOut,
    ProcessUpdate,
    TransitionOut,
    TransitionRequest,
    WindowChangeOut,
    WindowChangeRequest,
)

router = APIRouter(prefix="/api/processes", tags=["processes"])

_staff_errors = error_responses(NotAuthenticated, Forbidden, NotFound, Conflict, BadInput)


@router.get("", response_model=list[ProcessOut])
def list_processes(session: SessionDep, user: OptionalUser):
    """Every process for staff; drafts (not published yet) are left out for anyone else."""
    return service.list_processes(session=session, published=None if user else True)


@router.post("", response_model=ProcessOut, status_code=201, responses=_staff_errors)
def create_process(body: ProcessCreate, session: SessionDep, organizer: CurrentOrganizer):
    return service.create_process(session=session, actor=Actor.of(organizer), data=body)


@router.get("/{process_id}", response_model=ProcessOut, responses=error_responses(NotFound))
def get_process(session: SessionDep, user: OptionalUser, process_id: int = ProcessId):
    return service.visible_process(session=session, process_id=process_id, staff=user is not None)


@router.post("/{process_id}/publish", response_model=ProcessOut, responses=_staff_errors)
def publish_process(session: SessionDep, organizer: CurrentOrganizer, process_id: int = ProcessId):
    """Publish a draft: residents see the process from now on (audited)."""
    return service.publish_process(
        session=session, actor=Actor.of(organizer), process_id=process_id
    )


@router.patch("/{process_id}", response_model=ProcessOut, responses=_staff_errors)
def update_process(
    body: ProcessUpdate,
    session: SessionDep,
    organizer: CurrentOrganizer,
    process_id: int = ProcessId,
):
    return service.update_process(
        session=session, actor=Actor.of(organizer), process_id=process_id, changes=body
    )


@router.post(
    "/{process_id}/transitions",
    response_model=TransitionOut,
    status_code=201,
    responses=_staff_errors,
)
def transition(
    body: TransitionRequest,
    session: SessionDep,
    organizer: CurrentOrganizer,
    process_id: int = ProcessId,
):
    return service.transition(
        session=session,
        actor=Actor.of(organizer),
        process_id=process_id,
        to=body.to,
        reason=body.reason,
        note=body.note,
    )


@router.get(
    "/{process_id}/transitions",
    response_model=list[TransitionOut],
    responses=error_responses(NotFound),
)
def list_transitions(session: SessionDep, process_id: int = ProcessId):
    return service.transitions_of(session=session, process_id=process_id)


@router.post(
    "/{process_id}/window",
    response_model=WindowChangeOut,
    status_code=201,
    responses=_staff_errors,
)
def change_window(
    body: WindowChangeRequest,
    session: SessionDep,
    organizer: CurrentOrganizer,
    process_id: int = ProcessId,
):
    """Extend or shorten the voting window while voting is open (never into the past), or
    end voting now (`end_now`)."""
    return service.change_window(
        session=session,
        actor=Actor.of(organizer),
        process_id=process_id,
        closes_at=None if body.end_now else body.voting_closes_at,
        opens_at=body.voting_opens_at,
        reason=body.reason,
        move_site_hours=body.move_site_hours,
    )


@router.get(
    "/{process_id}/window",
    response_model=list[WindowChangeOut],
    responses=error_responses(NotFound),
)
def list_window_changes(session: SessionDep, process_id: int = ProcessId):
    service.get_process(session=session, process_id=process_id)
    return service.window_changes(session=session, process_id=process_id)


@router.post("/{process_id}/archive", response_model=ProcessOut, responses=_staff_errors)
def archive_process(
    body: ArchiveRequest,
    session: SessionDep,
    organizer: CurrentOrganizer,
    process_id: int = ProcessId,
):
    return service.archive_process(
        session=session,
        actor=Actor.of(organizer),
        process_id=process_id,
        archived=body.archived,
        reason=body.reason,
    )


@router.post(
    "/{process_id}/copy", response_model=ProcessOut, status_code=201, responses=_staff_errors
)
def copy_process(
    body: CopyRequest,
    session: SessionDep,
    organizer: CurrentOrganizer,
    process_id: int = ProcessId,
):
    return service.copy_process(
        session=session,
        actor=Actor.of(organizer),
        process_id=process_id,
        name=body.name,
        names=body.names,
    )
