"""Idea-collection events and voting sites of a process."""

from sqlalchemy import select
from sqlmodel import Session

from app import audit
from app.audit import Actor
from app.errors import Conflict, NotFound
from app.processes.models import Process
from app.processes.phases import SITES, VOTING_SITES, Phase, get_process, process_for_change
from app.sites.models import Site, SiteKind
from app.sites.schemas import SiteCreate
from app.voting.models import PollWorkerSite


def add_site(*, session: Session, actor: Actor, process_id: int, data: SiteCreate) -> Site:
    process = _process_for_site(session, process_id, data, "site.create", f"process:{process_id}")
    site = Site(process_id=process.id, **data.model_dump())
    audit.saved(
        session,
        site,
        actor=actor,
        action="site.create",
        target=f"site:{site.id}",
        detail={"process_id": process.id, "kind": site.kind, "name": site.name},
    )
    return site


def _process_for_site(
    session: Session, process_id: int, data: SiteCreate, action: str, target: str
) -> Process:
    """The process, read for a change to one of its sites: any site until it is closed, a
    voting site until voting ends."""
    rule = VOTING_SITES if data.kind == SiteKind.voting_site else SITES
    return process_for_change(
        session=session, process_id=process_id, allowed=rule, action=action, target=target
    )


def update_site(
    *, session: Session, actor: Actor, process_id: int, site_id: int, data: SiteCreate
) -> Site:
    """Edit a site: its name (and translations), address, neighbourhood and hours in any
    phase but closed. Its kind stays once the process leaves design or a poll worker is
    assigned to it: ideas, check-ins and ballots already point at it as what it is."""
    target = f"site:{site_id}"
    process = _process_for_site(session, process_id, data, "site.update", target)
    site = get_site(session=session, process_id=process.id, site_id=site_id)
    in_design = process.phase == Phase.design
    if data.kind.value != site.kind and (not in_design or _staffed(session, site.id)):
        raise Conflict(
            "A site's kind can only change in design, before any poll worker is assigned.",
            code="site_kind_fixed",
            field="kind",
            audit=("site.update", target),
        )
    for field, value in data.model_dump().items():
        setattr(site, field, value)
    audit.saved(
        session,
        site,
        actor=actor,
        action="site.update",
        target=target,
        detail={"process_id": process.id, "kind": site.kind, "name": site.name},
    )
    return site


def _staffed(session: Session, site_id: int) -> bool:
    found = session.execute(
        select(PollWorkerSite.user_id).where(PollWorkerSite.site_id == site_id).limit(1)
    ).first()
    return found is not None


def list_sites(*, session: Session, process_id: int, kind: SiteKind | None = None) -> list[Site]:
    get_process(session=session, process_id=process_id)
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
