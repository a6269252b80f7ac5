"""A whole small cycle through the API, as the report and the delegate home read it: an
event and a voting site, online and paper ideas, a delegate's scores and proposals (one
approved and funded, one approved and not funded, one returned, one left a draft, one
sent and never decided)."""

from dataclasses import dataclass
from datetime import timedelta

from app.db import utcnow
from app.users.models import Role
from tests.equity.helpers import POPULATION, add_voters, sign_in, upload
from tests.helpers import publish_results, store_ballot
from tests.ideas.helpers import add_site, advance, create_process, criteria_ids, submit_idea
from tests.proposals.helpers import approve, create_proposal
from tests.voting.helpers import set_phase

RETURN_REASON = "Get a second quote for the murals."
WINDOW_REASON = "The library closes early for the storm: voting ends now."


def translated(es: str, vi: str) -> dict:
    return {
        "es": {"title": es, "summary": "Resumen en español."},
        "vi": {"title": vi, "summary": "Tóm tắt bằng tiếng Việt."},
    }


@dataclass
class Cycle:
    process_id: int
    delegate: object
    funded: int  # proposal ids
    not_funded: int
    returned: int
    draft: int
    sent: int  # sent for approval, never decided
    voting_site: int

    @property
    def mine(self) -> tuple[int, ...]:
        """The delegate's proposals: funded, not funded, returned, draft, sent."""
        return (self.funded, self.not_funded, self.returned, self.draft, self.sent)


def written(client, organizer, make_staff) -> Cycle:
    """The process in proposal development, the delegate's proposals decided."""
    delegate = make_staff(Role.delegate)
    pid = create_process(client, organizer, ballot_size=2, description="A test cycle.")["id"]
    event = add_site(client, organizer, pid, name="Library kickoff", formal=True)
    booth = add_site(
        client, organizer, pid, name="Main library", kind="voting_site", neighborhood="North"
    )
    advance(client, organizer, pid, "idea_collection")
    online = [submit_idea(client, pid, title=f"Online idea {n}")["id"] for n in range(2)]
    paper = submit_idea(client, pid, organizer.headers, title="Paper idea", site_id=event["id"])[
        "id"
    ]
    advance(client, organizer, pid, "proposal_development")
    criteria = criteria_ids(client, pid)
    for idea, values in zip(
        online + [paper], ([5, 4, 3, 2], [3, 3, 3, 3], [1, 2, 1, 2]), strict=True
    ):
        body = {"scores": {str(c): v for c, v in zip(criteria, values, strict=True)}}
        r = client.put(f"/api/ideas/{idea}/scores/me", json=body, headers=delegate.headers)
        assert r.status_code == 200, r.text
    funded = create_proposal(
        client,
        delegate,
        pid,
        [online[0]],
        title="Food recovery",
        translations=translated("Recuperación de alimentos", "Thu hồi thực phẩm"),
    )["id"]
    not_funded = create_proposal(
        client,
        delegate,
        pid,
        [online[1], paper],
        title="Bus shelters",
        cost_cents=70_000_00,
        translations=translated("Paradas de autobús", "Nhà chờ xe buýt"),
    )["id"]
    returned = create_proposal(client, delegate, pid, [paper], title="Murals")["id"]
    draft = create_proposal(client, delegate, pid, [online[0]], title="Benches")["id"]
    sent = create_proposal(client, delegate, pid, [online[1]], title="Street trees")["id"]
    for proposal in (funded, not_funded, returned, sent):
        r = client.post(f"/api/proposals/{proposal}/submit", headers=delegate.headers)
        assert r.status_code == 200, r.text
    approve(client, organizer, funded)
    approve(client, organizer, not_funded)
    r = client.post(
        f"/api/proposals/{returned}/return",
        json={"reason": RETURN_REASON},
        headers=organizer.headers,
    )
    assert r.status_code == 200, r.text
    return Cycle(pid, delegate, funded, not_funded, returned, draft, sent, booth["id"])


def voted(client, organizer, cycle: Cycle, session_factory) -> None:
    """Voting, with ballots that fund the food recovery and not the bus shelters."""
    pid = cycle.process_id
    advance(client, organizer, pid, "voting")
    now = utcnow()
    window = {
        "voting_opens_at": now - timedelta(hours=1),
        "voting_closes_at": now + timedelta(hours=1),
    }
    set_phase(session_factory, pid, "voting", **window)
    sign_in(client, organizer)
    assert upload(client, pid, POPULATION).status_code == 200
    client.cookies.clear()
    add_voters(session_factory, pid, [("kiosk", cycle.voting_site)] * 12 + [("online", None)] * 3)
    for ranking in ([cycle.funded, cycle.not_funded],) * 3 + ([cycle.not_funded],):
        store_ballot(session_factory, pid, ranking)


DIFFERENCES_NOTE = "Twelve people checked in at the kiosk and left before voting."


def funded(client, organizer, cycle: Cycle) -> None:
    """Voting ended early (a window change, with its reason), funding, and the food
    recovery's award recorded."""
    pid = cycle.process_id
    r = client.post(
        f"/api/processes/{pid}/window",
        json={"end_now": True, "reason": WINDOW_REASON},
        headers=organizer.headers,
    )
    assert r.status_code == 201, r.text
    # The cycle's voters include some who checked in and left without voting: the move to
    # funding says so, and the organizers acknowledge it in writing.
    advance(client, organizer, pid, "funding", note=DIFFERENCES_NOTE)
    publish_results(client, organizer.headers, pid)
    r = client.put(
        f"/api/processes/{pid}/projects/{cycle.funded}/award",
        json={"amount_cents": 38_000_00, "organisation": "Foodlink", "status": "in_progress"},
        headers=organizer.headers,
    )
    assert r.status_code == 200, r.text
