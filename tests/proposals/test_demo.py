from sqlalchemy import func, select

from app.demo import load_demo
from app.ideas.models import DelegateScore, Idea
from app.proposals.models import Proposal
from app.proposals.service import ballot_proposals
from app.sites.models import Site
from app.users.models import User
from app.voting.models import Participation

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


def test_demo_has_rmapi_shape(session, client, settings):
    result = load_demo(session=session, organizer_password="demo-organizer-2019", settings=settings)
    session.commit()
    process = result.process
    pid = process.id
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
        f"/api/processes/{pid}/ideas/ranking", headers=_organizer_headers(client, result)
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

    again = load_demo(session=session, organizer_password="demo-organizer-2019", settings=settings)
    assert again.created is False
    assert count(session, Idea.process_id == pid, of=Idea) == 293


def _organizer_headers(client, result) -> dict[str, str]:
    r = client.post(
        "/api/auth/token",
        json={"email": result.organizer_email, "password": "demo-organizer-2019"},
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_every_demo_proposal_reads_in_each_demo_language():
    from app.demo.proposal_content import LOCATIONS, PROPOSALS

    for key, _category, _title, _summary, _cost, _seeds, es, vi, where in PROPOSALS:
        assert es and all(es) and vi and all(vi), f"{key} lacks a translation"
        assert all(LOCATIONS[where]), f"{key}: its location lacks a translation"
