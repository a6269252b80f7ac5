"""The demo's paper voters: checked in at a few sites, their sheets typed in twice.

Through the same service functions as the API. Sheets carry the common marking
mistakes (an overvote, a skipped rank, a proposal ranked twice, a number that is not
on the ballot, blank and unreadable sheets), and a few second passes are mistyped,
so an organizer resolves those discrepancies with a reason.
"""

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from app.audit import Actor
from app.config import Settings
from app.paper import service as paper
from app.paper.interpret import Mark
from app.processes.models import Process
from app.proposals.service import ballot_proposals
from app.sites.models import Site, SiteKind
from app.users import service as users
from app.users.models import Role, User
from app.voting import service as voting
from app.voting.models import Channel
from app.voting.schemas import IdentityIn

MISTAKES = {
    "overvote": 0.04,
    "skipped_rank": 0.03,
    "ranked_twice": 0.02,
    "not_on_ballot": 0.01,
    "blank": 0.015,
    "unreadable": 0.005,
}
MISTYPED = 0.02  # second passes that differ from the sheet


@dataclass(frozen=True)
class PaperDemoResult:
    voters: int
    sites: int
    batches: int
    discrepancies_resolved: int


def load_paper_demo(
    *,
    session: Session,
    settings: Settings,
    process: Process,
    organizer: User,
    voters: int,
    sites: int = 6,
    favoured: Sequence[int] = (),
    seed: int = 1141,
) -> PaperDemoResult:
    rng = random.Random(seed)
    by_id = {
        p.id: p.ballot_number for p in ballot_proposals(session=session, process_id=process.id)
    }
    numbers = list(by_id.values())
    weights = [6.0 if pid in set(favoured) else 1.0 for pid in by_id]
    site_ids = list(
        session.execute(
            select(Site.id)
            .where(Site.process_id == process.id, Site.kind == SiteKind.voting_site.value)
            .order_by(Site.id)
            .limit(sites)
        ).scalars()
    )
    actor = Actor.of(organizer)
    resolved = 0
    for index, site_id in enumerate(site_ids):
        share = voters // len(site_ids) + (1 if index < voters % len(site_ids) else 0)
        first, second = (_worker(session, settings, actor, process, site_id, n) for n in (1, 2))
        for k in range(share):
            voting.check_in(
                session=session,
                settings=settings,
                user=first,
                process_id=process.id,
                site_id=site_id,
                mode=Channel.paper,
                identity=_resident(rng, site_id, k),
            )
        batch = paper.create_batch(
            session=session,
            user=first,
            process_id=process.id,
            site_id=site_id,
            declared_sheets=share,
        )
        for sheet in range(1, share + 1):
            marks, blank, unreadable = _sheet(rng, numbers, weights, process.ballot_size)
            paper.enter_sheet(
                session=session,
                user=first,
                batch_id=batch.id,
                sheet=sheet,
                marks=marks,
                blank=blank,
                unreadable=unreadable,
            )
            typed = _mistype(rng, marks) if marks and rng.random() < MISTYPED else marks
            _, state = paper.enter_sheet(
                session=session,
                user=second,
                batch_id=batch.id,
                sheet=sheet,
                marks=typed,
                blank=blank,
                unreadable=unreadable,
            )
            if state.value == "disputed":
                paper.resolve_sheet(
                    session=session,
                    user=organizer,
                    batch_id=batch.id,
                    sheet=sheet,
                    marks=marks,
                    blank=blank,
                    unreadable=unreadable,
                    reason="Checked the paper sheet: the first pass is right.",
                )
                resolved += 1
        paper.close_batch(session=session, user=first, batch_id=batch.id)
    return PaperDemoResult(
        voters=voters, sites=len(site_ids), batches=len(site_ids), discrepancies_resolved=resolved
    )


def _worker(
    session: Session, settings: Settings, actor: Actor, process: Process, site_id: int, n: int
) -> User:
    worker = users.create_user(
        session=session,
        settings=settings,
        actor=actor,
        role=Role.poll_worker,
        password=secrets.token_urlsafe(24),
        email=f"paper-{process.id}-{site_id}-{n}-{secrets.token_hex(2)}@demo.pbvote.org",
        display_name=f"Paper poll worker {n} at site {site_id}",
    )
    voting.assign_poll_worker(session=session, actor=actor, site_id=site_id, user_id=worker.id)
    return worker


def _resident(rng: random.Random, site_id: int, k: int) -> IdentityIn:
    return IdentityIn(
        name=f"Paper voter {site_id}-{k}",
        birth_date=date(rng.randint(1940, 2004), rng.randint(1, 12), rng.randint(1, 28)),
        postal_code=f"146{rng.randint(4, 26):02d}",
    )


def _ranking(rng: random.Random, numbers: list[int], weights: list[float], size: int) -> list[int]:
    pool, pool_weights, chosen = list(numbers), list(weights), []
    for _ in range(rng.choice([size] * 8 + list(range(1, size)))):
        pick = rng.choices(range(len(pool)), weights=pool_weights)[0]
        chosen.append(pool.pop(pick))
        pool_weights.pop(pick)
    return chosen


def _sheet(
    rng: random.Random, numbers: list[int], weights: list[float], size: int
) -> tuple[list[Mark], bool, bool]:
    """The marks as a voter wrote them, mistakes included."""
    roll = rng.random()
    cut = 0.0
    mistake = None
    for name, share in MISTAKES.items():
        cut += share
        if roll < cut:
            mistake = name
            break
    if mistake == "blank":
        return [], True, False
    ranking = _ranking(rng, numbers, weights, size)
    marks = [Mark(rank, number) for rank, number in enumerate(ranking, start=1)]
    if mistake == "unreadable":
        return marks[:1], False, True
    if mistake == "overvote" and len(marks) >= 2:
        extra = rng.choice([n for n in numbers if n not in ranking])
        marks.append(Mark(rng.randint(1, len(ranking)), extra))
    elif mistake == "skipped_rank" and len(marks) >= 2:
        marks = [m if m.rank < 2 else Mark(m.rank + 1, m.ballot_number) for m in marks]
    elif mistake == "ranked_twice" and len(marks) >= 2:
        marks.append(Mark(len(marks) + 1, marks[0].ballot_number))
    elif mistake == "not_on_ballot":
        marks.append(Mark(len(marks) + 1, max(numbers) + rng.randint(1, 70)))
    return marks, False, False


def _mistype(rng: random.Random, marks: list[Mark]) -> list[Mark]:
    wrong = rng.randrange(len(marks))
    return [
        Mark(m.rank, m.ballot_number % 22 + 1) if i == wrong else m for i, m in enumerate(marks)
    ]
