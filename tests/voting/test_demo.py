"""The demo vote on a small synthetic process, and at full RMAPI size."""

import time
from collections import Counter

import pytest

from app.audit import Actor, verify_chain
from app.demo.voting import load_voting_demo
from app.processes.models import Process
from app.voting import service as voting
from tests.voting.helpers import add_proposals, add_sites, make_process


def borda(ballots, size=5) -> Counter:
    points: Counter = Counter()
    for ballot in ballots:
        for rank, proposal in enumerate(ballot.ranking):
            points[proposal] += size - rank
    return points


def test_demo_vote_splits_like_rmapi_and_funds_the_favoured(session, settings, organizer):
    process = make_process(session, phase="proposal_development")
    proposals = add_proposals(session, process.id, 6)
    add_sites(session, process.id, 1)  # the demo adds the other two
    favoured = proposals[3:5]
    result = load_voting_demo(
        session=session,
        process=process,
        actor=Actor(role="organizer", user_id=organizer.user.id),
        favoured=favoured,
        voters=120,
        sites=3,
        settings=settings,
    )
    assert (result.voters, result.online, result.in_person, result.sites) == (120, 69, 51, 3)
    assert session.get(Process, process.id).phase == "voting"
    turnout = voting.turnout(session=session, process_id=process.id)
    assert turnout["ballots_by_channel"] == {"online": 69, "kiosk": 51, "paper": 0}
    assert turnout["check_ins_by_channel"] == {"online": 69, "kiosk": 51, "paper": 0}
    assert len({row["site_id"] for row in turnout["ballots_by_site_and_day"]} - {None}) == 3
    ballots = voting.ballots_of(session=session, process_id=process.id)
    assert [b.id for b in ballots] == sorted(b.id for b in ballots)
    lengths = Counter(len(b.ranking) for b in ballots)
    assert set(lengths) <= {1, 2, 3, 4, 5} and lengths[5] > len(ballots) / 2
    assert all(len(set(b.ranking)) == len(b.ranking) for b in ballots)
    top = [p for p, _ in borda(ballots).most_common(2)]
    assert sorted(top) == sorted(favoured)
    assert verify_chain(session=session).ok


@pytest.mark.slow
def test_full_rmapi_demo_vote_is_fast(session, settings, backend, organizer):
    process = make_process(session, phase="proposal_development")
    proposals = add_proposals(session, process.id, 22)
    favoured = proposals[:5]
    started = time.monotonic()
    result = load_voting_demo(
        session=session,
        process=process,
        actor=Actor(role="organizer", user_id=organizer.user.id),
        favoured=favoured,
        settings=settings,
    )
    elapsed = time.monotonic() - started
    assert (result.online, result.in_person, result.sites) == (1561, 1141, 45)
    ballots = voting.ballots_of(session=session, process_id=process.id)
    assert len(ballots) == 2702
    assert sorted(p for p, _ in borda(ballots).most_common(5)) == sorted(favoured)
    print(f"full demo vote on {backend}: {elapsed:.1f} s")
