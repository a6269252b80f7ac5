import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from app.config import Settings
from app.db import make_engine
from app.demo import DEMO_NAME, DEMO_ORGANIZER, load_demo
from app.ideas.models import DelegateScore, Idea
from app.main import create_app
from app.processes.models import Process
from app.proposals.models import Proposal
from app.proposals.service import ballot_proposals
from app.sites.models import Site
from app.users.models import User
from app.voting.models import Participation
from tests.conftest import DEMO_PASSWORD, SERVER_SECRET, demo_copy, drop_database

WINNERS = {
    "Food recovery for community pantries": 40_000_00,
    "Childcare for B and C shifts": 45_000_00,
    "Workforce development through green projects": 35_000_00,
    "REACH tiny homes for chronically homeless people": 50_000_00,
    "Emergency housing fund": 25_000_00,
}
EQUITY_QUESTIONS = {"goal", "stakeholders", "benefits", "burdens", "equity_impact", "needs"}


def count(session, *where, of=None) -> int:
    query = select(func.count()).select_from(of) if of is not None else select(func.count())
    return session.execute(query.where(*where)).scalar_one()


@pytest.fixture
def demo(backend, tmp_path):
    """A copy of what `pbvote demo` loaded (once per test run), the app serving it, and what
    the command said."""
    copy = demo_copy(backend, tmp_path)
    settings = Settings(env="test", database_url=copy.url, secret_key=SERVER_SECRET)
    engine = make_engine(copy.url)
    app = create_app(settings, engine=engine)
    with Session(engine) as session, TestClient(app) as client:
        yield session, client, settings, copy.said
    engine.dispose()
    drop_database(copy.url)


@pytest.mark.slow  # the whole demo (loaded once per run and backend)
def test_demo_has_rmapi_shape(demo):
    session, client, settings, said = demo
    process = session.execute(select(Process).where(Process.name == DEMO_NAME)).scalar_one()
    pid = process.id
    assert f"demo process {pid} loaded: {DEMO_NAME}" in said
    assert process.phase == "funding"  # the whole cycle: ideas, proposals, vote, count
    assert count(session, Site.process_id == pid, Site.kind == "event", of=Site) == 28
    formal = count(session, Site.process_id == pid, Site.kind == "event", Site.formal, of=Site)
    assert formal == 5
    assert count(session, Site.process_id == pid, Site.kind == "voting_site", of=Site) == 45
    assert count(session, Idea.process_id == pid, of=Idea) == 293
    assert count(session, Idea.process_id == pid, Idea.site_id.is_(None), of=Idea) == 0
    scorers = session.execute(
        select(func.count(func.distinct(DelegateScore.delegate_id)))
        .join(Idea, Idea.id == DelegateScore.idea_id)
        .where(Idea.process_id == pid)
    ).scalar_one()
    assert scorers == 20
    assert (
        count(session, User.role == "delegate", User.email.like("%@demo.pbvote.org"), of=User) == 20
    )

    ballot = ballot_proposals(session=session, process_id=pid)
    assert count(session, Proposal.process_id == pid, of=Proposal) == 22
    assert [p.ballot_number for p in ballot] == list(range(1, 23))
    assert sum(p.cost_cents for p in ballot) > 2 * process.budget_cents
    winners = {p.title: p for p in ballot if p.title in WINNERS}
    assert {t: p.cost_cents for t, p in winners.items()} == WINNERS
    assert sum(WINNERS.values()) <= process.budget_cents
    for proposal in winners.values():
        assert set(proposal.equity_assessment) == EQUITY_QUESTIONS
        assert all(proposal.equity_assessment.values())
    assert all(p.translations.get("es", {}).get("title") for p in ballot)
    assert sum(1 for p in ballot if "vi" in p.translations) >= 5

    ranking = client.get(
        f"/api/processes/{pid}/ideas/ranking", headers=_organizer_headers(client)
    ).json()
    scored = [row for row in ranking["ideas"] if row["delegates"]]
    assert len(ranking["ideas"]) == 293 and len(scored) > 200
    means = [row["weighted_mean"] for row in scored]
    assert means == sorted(means, reverse=True)

    # RMAPI's vote: 2,702 voters, 1,561 online, 1,141 in person (kiosk or paper).
    result_view = client.get(f"/api/processes/{pid}/results").json()
    counted = result_view["result"]
    assert result_view["official"] is True and counted["ballots_counted"] == 2702
    channels = counted["ballots_by_channel"]
    assert channels["online"] == 1561 and channels["kiosk"] + channels["paper"] == 1141
    assert channels["paper"] > 0
    funded = {line["title"] for line in counted["projects"] if line["funded"]}
    assert funded == set(WINNERS)
    projects = client.get(f"/api/processes/{pid}/projects").json()
    assert projects["awarded_cents"] == sum(WINNERS.values())
    assert count(session, Participation.process_id == pid, of=Participation) == 2702
    practice = [p for p in client.get("/api/processes").json() if p["id"] != pid]
    assert [p["phase"] for p in practice] == ["voting"]

    again = load_demo(session=session, organizer_password=DEMO_PASSWORD, settings=settings)
    assert again.created is False and again.process.id == pid
    assert again.organizer_email == DEMO_ORGANIZER
    assert count(session, Idea.process_id == pid, of=Idea) == 293


def _organizer_headers(client) -> dict[str, str]:
    r = client.post("/api/auth/token", json={"email": DEMO_ORGANIZER, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_every_demo_proposal_reads_in_each_demo_language():
    from app.demo.proposal_content import LOCATIONS, PROPOSALS

    for key, _category, _title, _summary, _cost, _seeds, es, vi, where in PROPOSALS:
        assert es and all(es) and vi and all(vi), f"{key} lacks a translation"
        assert all(LOCATIONS[where]), f"{key}: its location lacks a translation"


def test_the_practice_ballot_answers_the_equity_questions_in_each_language():
    from app.demo import PRACTICE_EQUITY, PRACTICE_EQUITY_IN

    english = PRACTICE_EQUITY.model_dump()
    for code in ("es", "vi"):
        answers = PRACTICE_EQUITY_IN[code].model_dump()
        assert answers.keys() == english.keys() and all(answers.values()), code
        assert not set(answers.values()) & set(english.values()), code
