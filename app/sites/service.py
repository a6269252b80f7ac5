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
    _check_phase(phase, data, action="site.create", target=target, verb="added")
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


def _check_phase(phase: Phase, data: SiteCreate, *, action: str, target: str, verb: str) -> None:
    if phase == Phase.closed:
        raise Conflict(
            f"The process is closed: no site can be {verb}.",
            code="wrong_phase",
            audit=(action, target),
        )
    if data.kind == SiteKind.voting_site and phase not in _VOTING_SITE_PHASES:
        raise Conflict(
            f"Voting has ended (the process is in {phase.value}): no voting site can be {verb}.",
            code="wrong_phase",
            field="kind",
            audit=(action, target),
        )


def update_site(
    *, session: Session, actor: Actor, process_id: int, site_id: int, data: SiteCreate
) -> Site:
    """Edit a site: its name (and translations), address, neighbourhood and hours in any
    phase but closed. Its kind stays once the process leaves design or a poll worker is
    assigned to it: ideas, check-ins and ballots already point at it as what it is."""
    process = processes.get_process(session=session, process_id=process_id, for_update=True)
    site = get_site(session=session, process_id=process.id, site_id=site_id)
    phase = Phase(process.phase)
    target = f"site:{site.id}"
    _check_phase(phase, data, action="site.update", target=target, verb="changed")
    if data.kind.value != site.kind and (phase != Phase.design or _staffed(session, site.id)):
        raise Conflict(
            "A site's kind can only change in design, before any poll worker is assigned.",
            code="site_kind_fixed",
            field="kind",
            audit=("site.update", target),
        )
    for field, value in data.model_dump().items():
        setattr(site, field, value)
    session.add(site)
    session.flush()
    audit.append(
        session=session,
        actor=actor,
        action="site.update",
        target=target,
        detail={"process_id": process.id, "kind": site.kind, "name": site.name},
    )
    return site


def _staffed(session: Session, site_id: int) -> bool:
    from app.voting.models import PollWorkerSite  # a table only: no service import circle

    found = session.execute(
        select(PollWorkerSite.user_id).where(PollWorkerSite.site_id == site_id).limit(1)
    ).first()
    return found is not None


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
