"""The demo's ideas and proposals: RMAPI's shape, built through the service functions.

28 idea-collection events (5 formal, 23 informal), 45 voting sites, 293 ideas typed in
from paper forms, 20 budget delegates who each score a share of the ideas, and 22 costed
proposals (in Spanish and Vietnamese, each with its equity assessment), all approved for
the ballot. A seeded random.Random makes it the same every time.
"""

import random
import secrets
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from app.audit import Actor
from app.config import Settings
from app.demo.proposal_content import (
    FORMAL_EVENTS,
    IDEA_SEEDS,
    INFORMAL_EVENT_KINDS,
    LOCATIONS,
    NEIGHBORHOODS,
    OTHER_EQUITY,
    PROPOSALS,
    STREETS,
    VOTING_SITE_KINDS,
    WINNER_EQUITY,
)
from app.ideas import service as idea_service
from app.ideas.criteria import criteria_of
from app.ideas.models import Idea
from app.ideas.schemas import IdeaCreate, ScoreIn
from app.processes import service as processes
from app.processes.models import Process
from app.processes.phases import Phase
from app.proposals import service as proposals
from app.proposals.models import Proposal
from app.proposals.schemas import EquityAssessment, ProposalCreate, Translation
from app.sites import service as sites
from app.sites.models import Site, SiteKind
from app.sites.schemas import SiteCreate
from app.users import service as users
from app.users.models import Role

SEED = 2019
IDEAS = 293
DELEGATES = 20
IDEAS_PER_DELEGATE = 45
VOTING_SITES = 45
COLLECTION_STARTS = datetime(2019, 3, 2, 15, tzinfo=UTC)


def load_ideas_and_proposals_demo(
    *, session: Session, settings: Settings, process: Process, actor: Actor
) -> None:
    """Take the demo process from idea_collection to proposal_development with a full ballot."""
    rng = random.Random(SEED)
    if process.phase == Phase.design.value:
        processes.transition(
            session=session,
            actor=actor,
            process_id=process.id,
            to=Phase.idea_collection,
            reason="The Community Leadership Team approved the rules.",
        )
    events = _events(session=session, process=process, actor=actor, rng=rng)
    _voting_sites(session=session, process=process, actor=actor, rng=rng)
    collected = _ideas(session=session, process=process, actor=actor, rng=rng, events=events)
    processes.transition(
        session=session,
        actor=actor,
        process_id=process.id,
        to=Phase.proposal_development,
        reason="Idea collection closed with 293 ideas from 28 events.",
    )
    delegates = _delegates(session=session, settings=settings, actor=actor)
    _scores(session=session, process=process, rng=rng, ideas=collected, delegates=delegates)
    drafted = _proposals(session=session, process=process, ideas=collected, delegates=delegates)
    for proposal in drafted:
        proposals.approve_proposal(session=session, actor=actor, proposal_id=proposal.id)


def _address(rng: random.Random) -> str:
    return f"{rng.randint(10, 1999)} {rng.choice(STREETS)}, Rochester, NY"


def _events(*, session: Session, process: Process, actor: Actor, rng: random.Random) -> list[Site]:
    made = []
    for n in range(28):
        formal = n < len(FORMAL_EVENTS)
        neighborhood = NEIGHBORHOODS[n % len(NEIGHBORHOODS)]
        if formal:
            name = FORMAL_EVENTS[n]
        else:
            name = f"{INFORMAL_EVENT_KINDS[n % len(INFORMAL_EVENT_KINDS)]}, {neighborhood}"
        opens = COLLECTION_STARTS + timedelta(days=2 * n, hours=rng.choice((0, 2, 4)))
        made.append(
            sites.add_site(
                session=session,
                actor=actor,
                process_id=process.id,
                data=SiteCreate(
                    name=name,
                    kind=SiteKind.event,
                    formal=formal,
                    address=_address(rng),
                    neighborhood=neighborhood,
                    opens_at=opens,
                    closes_at=opens + timedelta(hours=3 if formal else 2),
                ),
            )
        )
    return made


def _voting_sites(*, session: Session, process: Process, actor: Actor, rng: random.Random) -> None:
    for n in range(VOTING_SITES):
        neighborhood = NEIGHBORHOODS[n % len(NEIGHBORHOODS)]
        kind = VOTING_SITE_KINDS[n % len(VOTING_SITE_KINDS)]
        sites.add_site(
            session=session,
            actor=actor,
            process_id=process.id,
            data=SiteCreate(
                name=f"{kind}, {neighborhood}",
                kind=SiteKind.voting_site,
                address=_address(rng),
                neighborhood=neighborhood,
            ),
        )


def _ideas(
    *, session: Session, process: Process, actor: Actor, rng: random.Random, events: list[Site]
) -> list[Idea]:
    # Every seed idea is shared at least once; the rest are the same needs, raised again
    # elsewhere, as they were at RMAPI's events.
    seeds = list(IDEA_SEEDS) + [rng.choice(IDEA_SEEDS) for _ in range(IDEAS - len(IDEA_SEEDS))]
    made = []
    for n, (category, title, description, _) in enumerate(seeds):
        event = events[n % len(events)]
        language = rng.choices(("en", "es", "vi"), weights=(80, 15, 5))[0]
        made.append(
            idea_service.submit_idea(
                session=session,
                actor=actor,
                process_id=process.id,
                data=IdeaCreate(
                    title=title if n < len(IDEA_SEEDS) else f"{title} ({event.neighborhood})",
                    description=description,
                    category=category,
                    neighborhood=event.neighborhood,
                    site_id=event.id,
                    language=language,
                ),
                client_address=None,
                typed_by_staff=True,
            )
        )
    return made


def _delegates(*, session: Session, settings: Settings, actor: Actor) -> list[Actor]:
    made = []
    for n in range(1, DELEGATES + 1):
        user = users.create_user(
            session=session,
            settings=settings,
            actor=actor,
            email=f"delegate{n:02d}@demo.pbvote.org",
            role=Role.delegate,
            password=secrets.token_urlsafe(24),
            display_name=f"Budget delegate {n}",
        )
        made.append(Actor.of(user))
    return made


def _scores(
    *,
    session: Session,
    process: Process,
    rng: random.Random,
    ideas: list[Idea],
    delegates: list[Actor],
) -> None:
    strength = {title: base for _, title, _, base in IDEA_SEEDS}
    criteria = criteria_of(session=session, process_id=process.id)
    for delegate in delegates:
        leniency = rng.uniform(-0.4, 0.4)
        for idea in rng.sample(ideas, IDEAS_PER_DELEGATE):
            base = strength[idea.title.split(" (")[0]] + leniency
            scores = {str(c.id): min(5, max(1, round(base + rng.gauss(0, 0.6)))) for c in criteria}
            idea_service.put_score(
                session=session,
                actor=delegate,
                delegate_id=delegate.user_id,
                idea_id=idea.id,
                data=ScoreIn(scores=scores),
            )


def _proposals(
    *, session: Session, process: Process, ideas: list[Idea], delegates: list[Actor]
) -> list[Proposal]:
    by_title: dict[str, list[int]] = {}
    for idea in ideas:
        by_title.setdefault(idea.title.split(" (")[0], []).append(idea.id)
    made = []
    for n, (key, category, title, summary, dollars, sources, es, vi, location) in enumerate(
        PROPOSALS
    ):
        translations = {
            code: Translation(title=text[0], summary=text[1], location=LOCATIONS[location][i])
            for i, (code, text) in enumerate((("es", es), ("vi", vi)))
        }
        equity = WINNER_EQUITY.get(key) or OTHER_EQUITY[key]
        made.append(
            proposals.create_proposal(
                session=session,
                actor=delegates[n % len(delegates)],
                process_id=process.id,
                data=ProposalCreate(
                    title=title,
                    summary=summary,
                    cost_cents=dollars * 100,
                    idea_ids=sorted(i for s in sources for i in by_title[s][:3]),
                    location=location,
                    category=category,
                    translations=translations,
                    equity_assessment=EquityAssessment(**equity),
                ),
            )
        )
    return made
