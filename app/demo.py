"""The demo: an RMAPI-like process (Monroe County NY, 2019), loaded once.

Later capabilities extend `load_demo` with ideas, proposals and ballots, always through
the same service functions the API uses.
"""

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from app.audit import SYSTEM, Actor
from app.processes import service as processes
from app.processes.models import Process
from app.processes.phases import Phase
from app.processes.schemas import ProcessCreate
from app.proposals.demo import load_ideas_and_proposals_demo
from app.users import service as users
from app.users.models import Role, User

DEMO_NAME = "Rochester-Monroe Anti-Poverty Initiative PB 2019"
DEMO_ORGANIZER = "organizer@demo.pbvote.org"
DEMO_DESCRIPTION = (
    "In 2019 the Rochester-Monroe Anti-Poverty Initiative (RMAPI) asked the community of "
    "Monroe County, New York, how to spend $200,000 on projects that meet its needs, guided "
    "by its principles: addressing structural racism, addressing trauma, building community. "
    "A 20-member Community Leadership Team led the process. Ideas were gathered at formal "
    "and informal events; volunteer budget delegates scored them for need, feasibility, "
    "equity and fit with the guiding principles, and developed the best into project "
    "outlines.\n\n"
    "Community members ranked their top five projects, online or in person at one of 45 "
    "voting sites, over three weeks. The projects with the most support are funded in "
    "order until the money runs out."
)


@dataclass(frozen=True)
class DemoResult:
    process: Process
    organizer_email: str
    created: bool


def load_demo(*, session: Session, organizer_password: str) -> DemoResult:
    existing = session.execute(
        select(Process).where(Process.name == DEMO_NAME)
    ).scalar_one_or_none()
    if existing is not None:
        return DemoResult(process=existing, organizer_email=DEMO_ORGANIZER, created=False)
    organizer = _demo_organizer(session=session, password=organizer_password)
    actor = Actor(role=organizer.role, user_id=organizer.id)
    for n in range(1, 21):
        # The Community Leadership Team: organizer accounts with unusable random passwords.
        users.create_user(
            session=session,
            actor=actor,
            email=f"clt{n:02d}@demo.pbvote.org",
            role=Role.organizer,
            password=secrets.token_urlsafe(24),
            display_name=f"Community Leadership Team member {n}",
        )
    process = processes.create_process(
        session=session,
        actor=actor,
        data=ProcessCreate(
            name=DEMO_NAME,
            description=DEMO_DESCRIPTION,
            budget_cents=200_000_00,
            currency="USD",
            ballot_size=5,
            languages=["en", "es", "vi"],
        ),
    )
    processes.transition(
        session=session,
        actor=actor,
        process_id=process.id,
        to=Phase.idea_collection,
        reason="The Community Leadership Team approved the rules.",
    )
    load_ideas_and_proposals_demo(session=session, process=process, actor=actor)
    return DemoResult(process=process, organizer_email=DEMO_ORGANIZER, created=True)


def _demo_organizer(*, session: Session, password: str) -> User:
    user = session.execute(select(User).where(User.email == DEMO_ORGANIZER)).scalar_one_or_none()
    if user is not None:
        return user
    return users.create_user(
        session=session,
        actor=SYSTEM,
        email=DEMO_ORGANIZER,
        role=Role.organizer,
        password=password,
        display_name="Demo organizer",
    )
