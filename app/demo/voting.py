"""The demo vote: RMAPI's 2,702 voters (1,561 online, 1,141 in person at 45 sites).

Every voter goes through the same service functions as the API: online voters with
access codes, in-person voters checked in by a poll worker and casting at the site's
kiosk with a one-time ticket. Rankings follow a seeded Plackett-Luce model: each
position is drawn among the proposals not yet ranked, in proportion to their weights;
the favoured proposals weigh much more, so a Borda count funds them.
"""

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from app.audit import Actor
from app.config import Settings, get_settings
from app.processes import service as processes
from app.processes.models import Process
from app.processes.phases import Phase
from app.proposals.service import ballot_proposals
from app.sites.models import Site, SiteKind
from app.users import service as users
from app.users.models import Role, User
from app.voting import service as voting
from app.voting.models import Channel
from app.voting.schemas import CredentialIn, IdentityIn

RMAPI_VOTERS = 2_702
RMAPI_ONLINE = 1_561
RMAPI_SITES = 45
SITES_PER_POLL_WORKER = 5
# How many proposals a voter ranks: most use all five places.
LENGTH_WEIGHTS = {1: 3, 2: 3, 3: 6, 4: 10, 5: 78}
FAVOURED_WEIGHT = 7.0


@dataclass(frozen=True)
class VotingDemoResult:
    voters: int
    online: int
    in_person: int
    sites: int


def load_voting_demo(
    *,
    session: Session,
    process: Process,
    actor: Actor,
    favoured: Sequence[int] = (),
    voters: int = RMAPI_VOTERS,
    sites: int = RMAPI_SITES,
    seed: int = 2019,
    settings: Settings | None = None,
    online: int | None = None,
) -> VotingDemoResult:
    """Opens voting on `process` (in proposal_development, with approved proposals) and
    casts `voters` ballots in RMAPI's online/in-person split. The caller commits."""
    settings = settings or get_settings()
    rng = random.Random(seed)
    if online is None:
        online = round(voters * RMAPI_ONLINE / RMAPI_VOTERS)
    site_ids = _voting_sites(session=session, process=process, wanted=sites)
    processes.transition(
        session=session,
        actor=actor,
        process_id=process.id,
        to=Phase.voting,
        reason="The ballot is approved: voting opens.",
    )
    ballot = [p.id for p in ballot_proposals(session=session, process_id=process.id)]
    weights = [FAVOURED_WEIGHT if p in set(favoured) else 1.0 for p in ballot]
    size = min(process.ballot_size, len(ballot))

    def ranking() -> list[int]:
        length = rng.choices(list(LENGTH_WEIGHTS), weights=list(LENGTH_WEIGHTS.values()))[0]
        return _plackett_luce(rng, ballot, weights, min(length, size))

    _, codes = voting.generate_access_codes(
        session=session,
        settings=settings,
        actor=actor,
        process_id=process.id,
        count=max(online, 1),
        label=f"demo mail-out {secrets.token_hex(3)}",
    )
    kiosks = _staff_sites(
        session=session, settings=settings, process=process, actor=actor, site_ids=site_ids
    )
    in_person = voters - online
    channels = [Channel.online] * online + [Channel.kiosk] * in_person
    rng.shuffle(channels)
    for n, channel in enumerate(channels):
        if channel == Channel.online:
            credential = CredentialIn(access_code=codes.pop().replace("-", ""))
        else:
            site_id = site_ids[rng.randrange(len(site_ids))]
            worker, token = kiosks[site_id]
            check_in = voting.check_in(
                session=session,
                settings=settings,
                user=worker,
                process_id=process.id,
                site_id=site_id,
                mode=Channel.kiosk,
                identity=_resident(rng, n),
            )
            credential = CredentialIn(kiosk_ticket=check_in.kiosk_ticket, kiosk_token=token)
        voting.cast_ballot(
            session=session,
            settings=settings,
            process_id=process.id,
            credential=credential,
            ranking=ranking(),
        )
    return VotingDemoResult(voters=voters, online=online, in_person=in_person, sites=len(site_ids))


def _plackett_luce(
    rng: random.Random, items: list[int], weights: list[float], length: int
) -> list[int]:
    pool, pool_weights, chosen = list(items), list(weights), []
    for _ in range(length):
        i = rng.choices(range(len(pool)), weights=pool_weights)[0]
        chosen.append(pool.pop(i))
        pool_weights.pop(i)
    return chosen


def _resident(rng: random.Random, n: int) -> IdentityIn:
    return IdentityIn(
        name=f"Demo resident {n}",
        birth_date=date(rng.randint(1940, 2006), rng.randint(1, 12), rng.randint(1, 28)),
        postal_code=f"146{rng.randint(4, 26):02d}",
    )


def _voting_sites(*, session: Session, process: Process, wanted: int) -> list[int]:
    have = session.execute(
        select(func.count())
        .select_from(Site)
        .where(Site.process_id == process.id, Site.kind == SiteKind.voting_site.value)
    ).scalar_one()
    for n in range(have + 1, wanted + 1):
        session.add(
            Site(
                process_id=process.id,
                name=f"Voting site {n}",
                kind=SiteKind.voting_site.value,
                address="Monroe County, NY",
            )
        )
    session.flush()
    return list(
        session.execute(
            select(Site.id)
            .where(Site.process_id == process.id, Site.kind == SiteKind.voting_site.value)
            .order_by(Site.id)
        ).scalars()
    )


def _staff_sites(
    *, session: Session, settings: Settings, process: Process, actor: Actor, site_ids: list[int]
) -> dict[int, tuple[User, str]]:
    """A poll worker for every few sites, and an open kiosk at each site."""
    kiosks: dict[int, tuple[User, str]] = {}
    worker: User | None = None
    for n, site_id in enumerate(site_ids):
        if n % SITES_PER_POLL_WORKER == 0:
            worker = users.create_user(
                session=session,
                settings=settings,
                actor=actor,
                email=f"pollworker-{process.id}-{n // SITES_PER_POLL_WORKER + 1}"
                f"-{secrets.token_hex(2)}@demo.pbvote.org",
                role=Role.poll_worker,
                password=secrets.token_urlsafe(24),
                display_name=f"Poll worker {n // SITES_PER_POLL_WORKER + 1}",
            )
        assert worker is not None
        voting.assign_poll_worker(session=session, actor=actor, site_id=site_id, user_id=worker.id)
        token, _ = voting.open_kiosk(
            session=session, settings=settings, user=worker, process_id=process.id, site_id=site_id
        )
        kiosks[site_id] = (worker, token)
    return kiosks
