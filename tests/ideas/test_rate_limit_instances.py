"""The online idea limit holds across app instances: two engines, real commits, at once."""

import threading
from datetime import UTC, datetime

from sqlalchemy import func, select

from app.audit import PUBLIC, Actor
from app.db import make_engine, make_session_factory, open_session
from app.errors import TooManyRequests
from app.ideas.models import Idea
from app.ideas.schemas import IdeaCreate
from app.ideas.service import IDEAS_PER_ADDRESS_PER_HOUR, submit_idea
from app.processes import service as processes
from app.processes.phases import Phase
from app.processes.schemas import ProcessCreate
from app.users.models import Role
from app.users.service import create_user
from tests.conftest import settings_for
from tests.helpers import HANG_SECONDS


def test_limit_holds_across_two_instances(migrated_copy_url, monkeypatch):
    # One clock hour for the whole test, so no window boundary falls in the middle of it.
    monkeypatch.setattr(
        "app.ideas.service.utcnow", lambda: datetime(2019, 3, 2, 15, 30, tzinfo=UTC)
    )
    instances = [make_session_factory(make_engine(migrated_copy_url)) for _ in range(2)]
    with open_session(instances[0], write=True) as session:
        user = create_user(
            session=session,
            settings=settings_for(migrated_copy_url),
            actor=Actor(role="system"),
            email="org@example.org",
            role=Role.organizer,
            password="correct horse battery",
        )
        actor = Actor(role=user.role, user_id=user.id)
        process = processes.create_process(
            session=session,
            actor=actor,
            data=ProcessCreate(name="Limit", budget_cents=100_00, languages=["en"]),
        )
        processes.transition(
            session=session,
            actor=actor,
            process_id=process.id,
            to=Phase.idea_collection,
            reason="r",
        )
        session.commit()
    attempts = IDEAS_PER_ADDRESS_PER_HOUR + 6
    start = threading.Barrier(attempts)
    outcomes: list[str] = []

    def share(n: int) -> None:
        start.wait()
        try:
            with open_session(instances[n % 2], write=True) as session:
                submit_idea(
                    session=session,
                    actor=PUBLIC,
                    process_id=process.id,
                    data=IdeaCreate(title=f"Idea {n}", description="d"),
                    client_address="198.51.100.7",
                    typed_by_staff=False,
                )
                session.commit()
            outcomes.append("stored")
        except TooManyRequests:
            outcomes.append("429")
        except Exception as exc:  # pragma: no cover - reported by the assertion
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=share, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=HANG_SECONDS)
    assert sorted(outcomes) == ["429"] * 6 + ["stored"] * IDEAS_PER_ADDRESS_PER_HOUR
    with instances[1]() as session:
        stored = session.execute(select(func.count()).select_from(Idea)).scalar_one()
    assert stored == IDEAS_PER_ADDRESS_PER_HOUR
    for factory in instances:
        factory.kw["bind"].dispose()
