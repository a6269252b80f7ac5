import threading

import pytest
from sqlalchemy import select

from app.audit import Actor
from app.db import make_engine, make_session_factory, open_session
from app.errors import DomainError
from app.ideas.schemas import IdeaCreate
from app.ideas.service import submit_idea
from app.processes import service as processes
from app.processes.phases import Phase
from app.processes.schemas import ProcessCreate
from app.proposals import service as proposals
from app.proposals.models import Proposal
from app.proposals.schemas import ProposalCreate
from app.proposals.service import choose_language
from app.users.models import Role
from app.users.service import create_user
from tests.conftest import settings_for
from tests.helpers import HANG_SECONDS
from tests.ideas.helpers import force_phase
from tests.proposals.helpers import EQUITY, approve, create_proposal, developing

SPANISH = {"title": "Guardería", "summary": "Cuidado infantil para turnos B y C."}
VIETNAMESE = {"title": "Nhà trẻ", "summary": "Chăm sóc trẻ cho ca B và C."}
VI = {"title": "Nhà nhỏ", "summary": "Nhà nhỏ REACH."}


@pytest.fixture
def ballot(client, organizer, session):
    pid, ideas = developing(client, organizer, ideas=1, ballot_size=2)
    first = create_proposal(
        client,
        organizer,
        pid,
        ideas,
        title="Childcare",
        summary="Childcare for B and C shifts.",
        cost_cents=45_000_00,
        translations={"es": SPANISH, "vi": VIETNAMESE},
    )
    second = create_proposal(
        client,
        organizer,
        pid,
        ideas,
        title="Tiny homes",
        summary="REACH tiny homes.",
        cost_cents=50_000_00,
        translations={"es": {"title": "Casas pequeñas", "summary": "Casas de REACH."}, "vi": VI},
    )
    approve(client, organizer, second["id"])
    approve(client, organizer, first["id"])
    # Approved before every language was required: the ballot falls back to English for vi.
    legacy = session.get(Proposal, second["id"])
    legacy.translations = {"es": legacy.translations["es"]}
    session.add(legacy)
    session.commit()
    return pid, second, first


def test_ballot_in_number_order_with_costs(client, organizer, ballot):
    pid, number_one, number_two = ballot
    r = client.get(f"/api/processes/{pid}/ballot", headers=organizer.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["language"] == "en" and body["languages"] == ["en", "es", "vi"]
    assert [(p["ballot_number"], p["proposal_id"]) for p in body["proposals"]] == [
        (1, number_one["id"]),
        (2, number_two["id"]),
    ]
    assert [p["cost_cents"] for p in body["proposals"]] == [50_000_00, 45_000_00]
    assert body["total_cost_cents"] == 95_000_00 and body["budget_cents"] == 100_000_00
    assert body["proposals"][1]["title"] == "Childcare"


@pytest.mark.parametrize(
    "params, headers, served, titles, entry_languages",
    [
        ({"lang": "es"}, {}, "es", ["Casas pequeñas", "Guardería"], ["es", "es"]),
        ({}, {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}, "es", None, ["es", "es"]),
        ({}, {"Accept-Language": "fr, vi;q=0.8, es;q=0.5"}, "vi", None, ["en", "vi"]),
        ({"lang": "vi"}, {"Accept-Language": "es"}, "vi", ["Tiny homes", "Nhà trẻ"], ["en", "vi"]),
        ({"lang": "fr"}, {}, "en", ["Tiny homes", "Childcare"], ["en", "en"]),
        ({}, {"Accept-Language": "de;q=1, es;q=0"}, "en", None, ["en", "en"]),
        ({}, {"Accept-Language": "garbage;;q=x,,"}, "en", None, ["en", "en"]),
    ],
)
def test_ballot_language(client, ballot, session, params, headers, served, titles, entry_languages):
    pid, *_ = ballot
    force_phase(session, pid, "voting")
    r = client.get(f"/api/processes/{pid}/ballot", params=params, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["language"] == served
    assert [p["language"] for p in r.json()["proposals"]] == entry_languages
    if titles:
        assert [p["title"] for p in r.json()["proposals"]] == titles


def test_choose_language_rules():
    languages = ["en", "es", "vi"]
    assert choose_language(languages=languages, asked=None, accept_language=None) == "en"
    assert choose_language(languages=languages, asked="ES", accept_language=None) == "es"
    assert choose_language(languages=["pl"], asked="en", accept_language="en") == "pl"
    assert choose_language(languages=languages, asked=None, accept_language="vi-VN") == "vi"


def test_ballot_is_staff_only_before_voting(client, ballot, make_staff):
    pid, *_ = ballot
    r = client.get(f"/api/processes/{pid}/ballot")
    assert r.status_code == 403 and r.json()["error"] == "ballot_not_published"
    delegate = make_staff(Role.delegate)
    assert client.get(f"/api/processes/{pid}/ballot", headers=delegate.headers).status_code == 200
    assert client.get(f"/api/processes/{pid}/ballot?lang={'x' * 36}").status_code == 422


def test_concurrent_approvals_never_share_a_ballot_number(migrated_copy_url):
    """Real commits on a real database: 8 approvals at once get 8 distinct numbers."""
    engine = make_engine(migrated_copy_url)
    factory = make_session_factory(engine)
    with open_session(factory, write=True) as session:
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
            data=ProcessCreate(name="Race", budget_cents=100_00, languages=["en"]),
        )
        processes.transition(
            session=session,
            actor=actor,
            process_id=process.id,
            to=Phase.idea_collection,
            reason="r",
        )
        idea = submit_idea(
            session=session,
            actor=actor,
            process_id=process.id,
            data=IdeaCreate(title="t", description="d"),
            client_address=None,
            typed_by_staff=True,
        )
        processes.transition(
            session=session,
            actor=actor,
            process_id=process.id,
            to=Phase.proposal_development,
            reason="r",
        )
        ids = [
            proposals.create_proposal(
                session=session,
                actor=actor,
                process_id=process.id,
                data=ProposalCreate(
                    title=f"P{n}",
                    summary="s",
                    cost_cents=100,
                    idea_ids=[idea.id],
                    equity_assessment=EQUITY,
                ),
            ).id
            for n in range(8)
        ]
        session.commit()
    start = threading.Barrier(len(ids))
    errors: list[Exception] = []

    def approve_one(proposal_id: int) -> None:
        start.wait()
        try:
            with open_session(factory, write=True) as session:
                proposals.approve_proposal(session=session, actor=actor, proposal_id=proposal_id)
                session.commit()
        except (DomainError, Exception) as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=approve_one, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=HANG_SECONDS)
    assert errors == []
    with factory() as session:
        numbers = sorted(
            session.execute(select(Proposal.ballot_number).where(Proposal.id.in_(ids))).scalars()
        )
    assert numbers == list(range(1, 9))
    engine.dispose()


def test_openapi_documents_the_new_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/processes/{process_id}/sites",
        "/api/processes/{process_id}/criteria",
        "/api/processes/{process_id}/ideas",
        "/api/processes/{process_id}/ideas/ranking",
        "/api/ideas/{idea_id}/scores/me",
        "/api/ideas/{idea_id}/merge",
        "/api/ideas/{idea_id}/hide",
        "/api/processes/{process_id}/proposals",
        "/api/proposals/{proposal_id}",
        "/api/proposals/{proposal_id}/approve",
        "/api/proposals/{proposal_id}/return",
        "/api/processes/{process_id}/ballot",
    ):
        assert path in paths, path


def test_a_very_long_accept_language_is_cut_not_refused(client, ballot, session):
    pid, *_ = ballot
    force_phase(session, pid, "voting")
    header = "es;q=0.9," + "x-private;q=0.1," * 200
    r = client.get(f"/api/processes/{pid}/ballot", headers={"Accept-Language": header})
    assert r.status_code == 200 and r.json()["language"] == "es"
