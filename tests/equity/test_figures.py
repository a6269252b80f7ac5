"""Turnout equity figures: voters per neighbourhood, channel and day (in the process's
time zone), each neighbourhood's share of in-person voters against its share of people."""

import random
import re
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, update

from app.equity import service as equity
from app.processes.models import Process
from tests.equity.helpers import POPULATION, add_voters, place_sites, sign_in, upload
from tests.voting.helpers import add_sites
from tests.voting.test_casting import cast, identity

PEOPLE = {"North": 1000, "South": 3000, "East": 6000}


@pytest.fixture
def placed(client, organizer, world, session_factory):
    """The world's process with five sites: North, South, East, one with no neighbourhood
    and one in a neighbourhood that is not in the list; the population loaded."""
    with session_factory() as s:
        more = add_sites(s, world.process_id, 3)
        s.commit()
    sites = [*world.sites, *more]
    place_sites(
        session_factory,
        {sites[0]: "North", sites[1]: " south ", sites[2]: "East", sites[4]: "Nowhere"},
    )
    sign_in(client, organizer)
    assert upload(client, world.process_id, POPULATION).status_code == 200
    return sites


def test_shares_and_ratios_match_a_direct_count(client, world, session_factory, placed):
    rng = random.Random(12)
    voters = [("online", None)] * rng.randint(20, 60)
    for site in placed:
        voters += [("kiosk", site)] * rng.randint(0, 40) + [("paper", site)] * rng.randint(0, 15)
    rng.shuffle(voters)
    add_voters(session_factory, world.process_id, voters)

    count = Counter(voters)
    at = {"North": placed[0], "South": placed[1], "East": placed[2]}
    here = {n: count[("kiosk", s)] + count[("paper", s)] for n, s in at.items()}
    total_here, total_people = sum(here.values()), sum(PEOPLE.values())
    with session_factory() as s:
        process = s.get(Process, world.process_id)
        fig = equity.figures(session=s, process=process)
    got = {a.name: a for a in fig.areas}
    for name, people in PEOPLE.items():
        expected = (here[name] / total_here) / (people / total_people)
        assert got[name].voters == here[name]
        assert got[name].ratio == pytest.approx(expected)
        assert got[name].outreach == (expected < 0.8)
    assert fig.placed == total_here
    assert fig.unplaced["online"]["online"] == count[("online", None)]
    assert sum(fig.unplaced["no_neighbourhood"].values()) == sum(
        n for (c, s), n in count.items() if s == placed[3]
    )
    assert sum(fig.unplaced["not_listed"].values()) == sum(
        n for (c, s), n in count.items() if s == placed[4]
    )
    assert fig.voters == len(voters)
    # The target groups: an estimate as if voters were like their neighbourhood.
    black = {g["name"]: g for g in fig.groups}["black"]
    share = (600 + 900 + 1200) / total_people
    reached = (here["North"] * 0.6 + here["South"] * 0.3 + here["East"] * 0.2) / total_here
    assert black["ratio"] == pytest.approx(reached / share)

    page = client.get(f"/organize/processes/{world.process_id}/equity")
    assert page.status_code == 200
    flagged = {name for name in PEOPLE if got[name].outreach}
    for name in PEOPLE:
        row = re.search(rf'<tr( class="outreach")?>\s*<th scope="row">{name}', page.text)
        assert row and bool(row.group(1)) == (name in flagged)
        assert f"{got[name].ratio:.2f}" in page.text
    assert "<svg" in page.text and 'role="img"' in page.text
    assert "Online (no site)" in page.text and "send outreach here" in page.text


def test_nothing_is_read_from_the_ballots(world, session_factory, placed, connection):
    add_voters(session_factory, world.process_id, [("kiosk", placed[0])] * 3)
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        seen.append(statement.lower())

    event.listen(connection, "before_cursor_execute", note)
    try:
        with session_factory() as s:
            equity.figures(session=s, process=s.get(Process, world.process_id))
    finally:
        event.remove(connection, "before_cursor_execute", note)
    assert seen and not [q for q in seen if re.search(r"\bballot\b", q)]


def test_days_are_the_process_time_zone_s(client, world, session_factory, placed, monkeypatch):
    with session_factory() as s:
        s.execute(
            update(Process)
            .where(Process.id == world.process_id)
            .values(time_zone="America/New_York")
        )
        s.commit()
    moments = {
        # 21:30 on 2 November in Rochester, already 3 November in UTC
        datetime(2026, 11, 3, 2, 30, tzinfo=UTC): [("kiosk", placed[0])] * 4 + [("online", None)],
        datetime(2026, 11, 3, 15, 0, tzinfo=UTC): [("paper", placed[1])] * 2,
    }
    for when, voters in moments.items():
        monkeypatch.setattr("app.audit.utcnow", lambda when=when: when)
        add_voters(session_factory, world.process_id, voters)
    monkeypatch.undo()
    with session_factory() as s:
        fig = equity.figures(session=s, process=s.get(Process, world.process_id))
        assert [(d, dict(c)) for d, c in fig.per_day] == [
            (date(2026, 11, 2), {"kiosk": 4, "online": 1}),
            (date(2026, 11, 3), {"paper": 2}),
        ]
        one = equity.figures(
            session=s, process=s.get(Process, world.process_id), day=date(2026, 11, 2)
        )
    assert {a.name: a.voters for a in one.areas} == {"North": 4, "South": 0, "East": 0}
    page = client.get(f"/organize/processes/{world.process_id}/equity?day=2026-11-03")
    assert page.status_code == 200
    assert "November 2, 2026" in page.text and "America/New_York" in page.text
    assert 'value="2026-11-03" selected' in page.text
    bad = client.get(f"/organize/processes/{world.process_id}/equity?day=yesterday")
    assert bad.status_code == 422 and "not a day" in bad.text


def test_real_check_ins_and_online_votes_are_counted(
    client, world, session_factory, placed, poll_worker, codes
):
    r = client.post(
        f"/api/processes/{world.process_id}/check-ins",
        json={"site_id": placed[0], "mode": "kiosk", **identity()},
        headers=poll_worker.headers,
    )
    assert r.status_code == 201, r.text
    (code,) = codes(1)
    assert (
        cast(client, world.process_id, {"access_code": code}, world.proposals[:3]).status_code
        == 201
    )
    with session_factory() as s:
        fig = equity.figures(session=s, process=s.get(Process, world.process_id))
    assert {a.name: dict(a.by_channel) for a in fig.areas}["North"] == {"kiosk": 1}
    assert fig.unplaced["online"]["online"] == 1
    assert [dict(c) for _, c in fig.per_day] == [{"kiosk": 1, "online": 1}]


def test_without_a_population_the_page_says_what_to_do(client, organizer, world):
    sign_in(client, organizer)
    page = client.get(f"/organize/processes/{world.process_id}/equity")
    assert page.status_code == 200 and "no reference population yet" in page.text
    assert 'aria-current="page">Turnout' in page.text


def test_the_figures_download_is_a_csv(client, world, session_factory, placed):
    add_voters(session_factory, world.process_id, [("kiosk", placed[0])] * 2)
    r = client.get(f"/organize/processes/{world.process_id}/equity/figures.csv")
    assert r.status_code == 200 and r.text.startswith("neighbourhood,population")
    assert "\r\nNorth,1000,0.1,2,0,0,1.0,10.0,\r\n" in r.text
