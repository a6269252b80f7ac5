from fastapi import APIRouter, Query

from app.audit import Actor
from app.auth import CurrentOrganizer
from app.db import SessionDep
from app.errors import BadInput, Conflict, Forbidden, NotAuthenticated, NotFound, error_responses
from app.ids import ProcessId, SiteId
from app.sites import service
from app.sites.models import SiteKind
from app.sites.schemas import SiteCreate, SiteOut

router = APIRouter(prefix="/api/processes", tags=["sites"])
KindFilter = Query(default=None, description="event or voting_site")


@router.post(
    "/{process_id}/sites",
    response_model=SiteOut,
    status_code=201,
    responses=error_responses(NotAuthenticated, Forbidden, NotFound, Conflict, BadInput),
)
def add_site(
    body: SiteCreate, session: SessionDep, organizer: CurrentOrganizer, process_id: int = ProcessId
):
    """Add an idea-collection event or a voting site (organizers)."""
    return service.add_site(
        session=session, actor=Actor.of(organizer), process_id=process_id, data=body
    )


@router.get(
    "/{process_id}/sites", response_model=list[SiteOut], responses=error_responses(NotFound)
)
def list_sites(
    session: SessionDep,
    process_id: int = ProcessId,
    kind: SiteKind | None = KindFilter,
):
    """The process's events and voting sites, public."""
    return service.list_sites(session=session, process_id=process_id, kind=kind)


@router.put(
    "/{process_id}/sites/{site_id}",
    response_model=SiteOut,
    responses=error_responses(NotAuthenticated, Forbidden, NotFound, Conflict, BadInput),
)
def update_site(
    body: SiteCreate,
    session: SessionDep,
    organizer: CurrentOrganizer,
    process_id: int = ProcessId,
    site_id: int = SiteId,
):
    """Edit a site: name and its translations, address, neighbourhood, hours (organizers)."""
    return service.update_site(
        session=session,
        actor=Actor.of(organizer),
        process_id=process_id,
        site_id=site_id,
        data=body,
    )
