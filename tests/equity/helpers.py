"""Building blocks for the equity tests: neighbourhoods, voters, a signed-in organizer."""

import random
import secrets

from sqlalchemy import update

from app import audit
from app.audit import Actor
from app.sites.models import Site
from app.voting.models import Participation

ORIGIN = {"Origin": "http://testserver"}
POPULATION = (
    b"neighbourhood,population,black,under_25\r\n"
    b"North,1000,600,300\r\nSouth,3000,900,800\r\nEast,6000,1200,1500\r\n"
)


def sign_in(client, staff):
    r = client.post(
        "/station/login",
        headers=ORIGIN,
        follow_redirects=False,
        data={"email": staff.user.email, "password": staff.password},
    )
    assert r.status_code == 303


def upload(client, process_id, content: bytes, name="population.csv"):
    return client.post(
        f"/organize/processes/{process_id}/equity/population",
        headers=ORIGIN,
        files={"file": (name, content, "text/csv")},
    )


def place_sites(session_factory, neighbourhoods: dict[int, str | None]) -> None:
    with session_factory() as session:
        for site_id, name in neighbourhoods.items():
            session.execute(update(Site).where(Site.id == site_id).values(neighborhood=name))
        session.commit()


def add_voters(session_factory, process_id: int, voters: list[tuple[str, int | None]]) -> None:
    """Voters as a check-in or an online cast leaves them: a participation row (with a
    unique person) and its audit entry, at the moment app.audit.utcnow says."""
    with session_factory() as session:
        for channel, site_id in voters:
            session.add(
                Participation(
                    process_id=process_id,
                    person_key=f"{random.getrandbits(128):032x}",
                    channel=channel,
                    site_id=site_id,
                )
            )
            if site_id is None:
                audit.append(
                    session=session,
                    actor=audit.PUBLIC,
                    action="ballot.cast",
                    target=f"process:{process_id}",
                    detail={"channel": channel},
                )
            else:
                audit.append(
                    session=session,
                    actor=Actor(role="poll_worker"),
                    action="voting.check_in",
                    target=f"site:{site_id}",
                    detail={"mode": channel},
                )
        session.commit()


def answer_survey(session_factory, process_id: int, n: int, **fields) -> None:
    """`n` survey answers as residents leave them, each with its own invitation."""
    from app.equity import service as equity
    from app.processes.models import Process

    with session_factory() as session:
        process = session.get(Process, process_id)
        for _ in range(n):
            receipt = secrets.token_hex(8)  # each its own ballot
            equity.record_answer(
                session=session,
                secret_key="k",
                process=process,
                token=equity.survey_token("k", process_id, receipt=receipt),
                **{"age_band": None, "neighborhood": None, "answers": {}, **fields},
            )
        session.commit()
