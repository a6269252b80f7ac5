"""Idea-collection events and voting sites of a process."""

from sqlalchemy import select
from sqlmodel import Session

from app import audit
from app.audit import Actor
from app.errors import Conflict, NotFound
from app.processes import service as processes
from app.processes.phases import Phase
from app.sites.models import Site, SiteKind
from app.sites.schemas import SiteCreate

# A voting site makes no sense once voting has ended; nothing is added to a closed archive.
_VOTING_SITE_PHASES = frozenset(
    {Phase.design, Phase.idea_collection, Phase.proposal_development, Phase.voting}
)


def add_site(*, session: Session, actor: Actor, process_id: int, data: SiteCreate) -> Site:
    process = processes.get_process(session=session, process_id=process_id, for_update=True)
    phase = Phase(process.phase)
    target = f"process:{process.id}"
    # Under the process row lock, not process_in_phase (app/processes/deps.py): a phase
    # change cannot slip between this check and the write.
    if phase == Phase.closed:
        raise Conflict(
            "The process is closed: no site can be added to it.",
            code="wrong_phase",
            audit=("site.create", target),
        )
    if data.kind == SiteKind.voting_site and phase not in _VOTING_SITE_PHASES:
        raise Conflict(
            f"Voting has ended (the process is in {phase.value}): no voting site can be added.",
            code="wrong_phase",
            field="kind",
            audit=("site.create", target),
        )
    site = Site(process_id=process.id, **data.model_dump())
    session.add(site)
    session.flush()
    audit.append(
        session=session,
        actor=actor,
        action="site.create",
        target=f"site:{site.id}",
        detail={"process_id": process.id, "kind": site.kind, "name": site.name},
    )
    return site


def list_sites(*, session: Session, process_id: int, kind: SiteKind | None = None) -> list[Site]:
    processes.get_process(session=session, process_id=process_id)
    query = select(Site).where(Site.process_id == process_id)
    if kind is not None:
        query = query.where(Site.kind == kind.value)
    return list(session.execute(query.order_by(Site.id)).scalars())


def get_site(*, session: Session, process_id: int, site_id: int, field: str = "site_id") -> Site:
    """The site `site_id` of this process (404 if it is unknown or another process's)."""
    site = session.get(Site, site_id)
    if site is None or site.process_id != process_id:
        raise NotFound(f"Process {process_id} has no site {site_id}.", field=field)
    return site
