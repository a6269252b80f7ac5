"""The public idea board: what residents shared, by the event (or channel) it came from.

Organizers' decisions hold here as everywhere: a hidden idea shows nothing of itself, only
that it was hidden (a count per group), a merged idea says which idea it was merged into.
Contact details are never read into the board.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from app.ideas.models import Idea, IdeaStatus
from app.processes.models import Process
from app.processes.phases import BALLOT_PUBLISHED, IDEAS_PUBLISHED
from app.proposals.models import Proposal, ProposalIdea, ProposalStatus
from app.sites.models import Site, SiteKind

ONLINE = "online"  # the group of ideas shared on the web
OTHER = "other"  # paper forms typed in without an event


@dataclass(frozen=True)
class BoardIdea:
    """What the public may read of an idea (never its contact details)."""

    id: int
    title: str
    description: str
    neighborhood: str | None
    category: str | None
    language: str | None
    merged_into_id: int | None
    created_at: datetime
    # The proposals on the published ballot it grew into: (proposal id, ballot number, title).
    proposals: tuple[tuple[int, int, str], ...] = ()


@dataclass
class BoardGroup:
    key: str  # the site id as text, ONLINE or OTHER: the `event` filter's value
    kind: str  # "formal", "informal", "online" or "other"
    site: Site | None
    ideas: list[BoardIdea] = field(default_factory=list)
    hidden: int = 0

    @property
    def shown(self) -> int:
        return len(self.ideas)


@dataclass
class IdeaBoard:
    open: bool  # ideas are public (idea collection or later)
    groups: list[BoardGroup]  # this page's part of the filtered groups, formal events first
    counts: dict[str, BoardGroup]  # the filtered groups whole (counts in headings)
    events: list[BoardGroup]  # every group, for the event filter links, with full counts
    neighborhoods: list[str]
    event: str | None
    neighborhood: str | None
    total_shown: int
    total_hidden: int
    page: int = 1
    pages: int = 1


# Ideas per page: the board stays a few kilobytes on a phone (RMAPI had 293 ideas).
PAGE_SIZE = 25


def _public(idea: Idea, became: dict[int, list[tuple[int, int, str]]]) -> BoardIdea:
    return BoardIdea(
        id=idea.id,
        title=idea.title,
        description=idea.description,
        neighborhood=idea.neighborhood,
        category=idea.category,
        language=idea.language,
        merged_into_id=idea.merged_into_id if idea.status == IdeaStatus.merged.value else None,
        created_at=idea.created_at,
        proposals=tuple(became.get(idea.id, ())),
    )


def _group_of(idea: Idea, sites: dict[int, Site]) -> tuple[str, str, Site | None]:
    site = sites.get(idea.site_id) if idea.site_id is not None else None
    if site is not None:
        return str(site.id), _kind(site), site
    return (ONLINE, "online", None) if idea.channel == "online" else (OTHER, "other", None)


def _kind(site: Site) -> str:
    return "formal" if site.formal else "informal"


def _order(group: BoardGroup) -> tuple:
    rank = {"formal": 0, "informal": 1, "online": 2, "other": 3}[group.kind]
    when = group.site.opens_at.isoformat() if group.site and group.site.opens_at else ""
    return (rank, when, group.site.name if group.site else "", group.key)


def _became(
    session: Session, process: Process, language: str | None
) -> dict[int, list[tuple[int, int, str]]]:
    """Idea id: the proposals of the published ballot that grew from it, titled in
    `language` where the delegates translated them."""
    if not BALLOT_PUBLISHED.allows(process.phase):
        return {}
    rows = session.execute(
        select(ProposalIdea.idea_id, Proposal)
        .join(Proposal, Proposal.id == ProposalIdea.proposal_id)
        .where(
            Proposal.process_id == process.id,
            Proposal.status == ProposalStatus.approved.value,
        )
        .order_by(Proposal.ballot_number)
    )
    became: dict[int, list[tuple[int, int, str]]] = {}
    for idea_id, proposal in rows:
        title = (proposal.translations.get(language or "") or {}).get("title") or proposal.title
        became.setdefault(idea_id, []).append((proposal.id, proposal.ballot_number, title))
    return became


def _grouped(
    session: Session,
    process: Process,
    event: str | None,
    neighborhood: str | None,
    language: str | None = None,
) -> tuple[dict[str, BoardGroup], dict[str, BoardGroup], set[str]]:
    """Every group whole, the groups after the filters, and the neighbourhoods named."""
    sites = {
        s.id: s
        for s in session.execute(
            select(Site).where(Site.process_id == process.id, Site.kind == SiteKind.event.value)
        ).scalars()
    }
    ideas = session.execute(
        select(Idea).where(Idea.process_id == process.id).order_by(Idea.id)
    ).scalars()
    became = _became(session, process, language)
    every: dict[str, BoardGroup] = {}
    filtered: dict[str, BoardGroup] = {}
    neighborhoods: set[str] = set()
    for idea in ideas:
        key, kind, site = _group_of(idea, sites)
        hidden = idea.status == IdeaStatus.hidden.value
        for groups, wanted in (
            (every, True),
            (filtered, _wanted(key, idea.neighborhood, hidden, event, neighborhood)),
        ):
            if not wanted:
                continue
            group = groups.setdefault(key, BoardGroup(key, kind, site))
            if hidden:
                group.hidden += 1
            else:
                group.ideas.append(_public(idea, became))
        if not hidden and idea.neighborhood:
            neighborhoods.add(idea.neighborhood)
    for site in sites.values():  # an event where nobody shared an idea still took place
        key = str(site.id)
        every.setdefault(key, BoardGroup(key, _kind(site), site))
        if event == key and not neighborhood:
            filtered.setdefault(key, BoardGroup(key, _kind(site), site))
    return every, filtered, neighborhoods


def _wanted(key, idea_neighborhood, hidden, event, neighborhood) -> bool:
    if (event and key != event) or (neighborhood and idea_neighborhood != neighborhood):
        return False
    # A hidden idea's neighbourhood is its content too: it is not counted by it.
    return not (hidden and neighborhood)


def idea_board(
    *,
    session: Session,
    process: Process,
    event: str | None,
    neighborhood: str | None,
    page: int = 1,
    language: str | None = None,
) -> IdeaBoard:
    """The board, grouped by event, a page at a time; `event` (a group key) and
    `neighborhood` filter it. A page past the last shows the last."""
    if not IDEAS_PUBLISHED.allows(process.phase):
        return IdeaBoard(False, [], {}, [], [], event, neighborhood, 0, 0)
    every, filtered, neighborhoods = _grouped(session, process, event, neighborhood, language)
    ordered = sorted(filtered.values(), key=_order)
    shown = sum(g.shown for g in ordered)
    pages = max(1, -(-shown // PAGE_SIZE))
    page = min(max(page, 1), pages)
    return IdeaBoard(
        open=True,
        groups=_page_of(ordered, page),
        counts=filtered,
        events=sorted(every.values(), key=_order),
        neighborhoods=sorted(neighborhoods, key=str.casefold),
        event=event,
        neighborhood=neighborhood,
        total_shown=shown,
        total_hidden=sum(g.hidden for g in ordered),
        page=page,
        pages=pages,
    )


def _page_of(ordered: list[BoardGroup], page: int) -> list[BoardGroup]:
    """The groups' ideas from (page - 1) * PAGE_SIZE on; a group without ideas (only
    hidden ones, or none) is listed where it falls, so its counts are seen."""
    start, end = (page - 1) * PAGE_SIZE, page * PAGE_SIZE
    total = sum(g.shown for g in ordered)
    out, seen = [], 0
    for group in ordered:
        first, seen = seen, seen + group.shown
        if group.shown == 0:
            if start <= first < end or first == end == total:
                out.append(group)
        elif seen > start and first < end:
            part = BoardGroup(group.key, group.kind, group.site, hidden=group.hidden)
            part.ideas = group.ideas[max(0, start - first) : end - first]
            out.append(part)
    return out


def board_pages(*, session: Session, process: Process, idea_ids: list[int]) -> dict[int, int]:
    """The page of the unfiltered board each idea is on (hidden ideas are on none)."""
    _, filtered, _ = _grouped(session, process, None, None)
    position, pages = 0, {}
    for group in sorted(filtered.values(), key=_order):
        for idea in group.ideas:
            if idea.id in idea_ids:
                pages[idea.id] = position // PAGE_SIZE + 1
            position += 1
    return pages
