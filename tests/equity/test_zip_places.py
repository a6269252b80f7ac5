"""Online voters placed by the ZIP code they typed, where the population list gives each
neighbourhood its ZIP codes: only the neighbourhood is kept on their participation row
(never the ZIP), and a file that puts one ZIP in two neighbourhoods is refused."""

import pytest
from sqlalchemy import select

from app.equity import service as equity
from app.equity.population import PopulationProblem, parse_population
from app.processes.models import Process
from app.voting.models import Participation
from tests.equity.helpers import add_voters, place_sites, sign_in, upload
from tests.voting.helpers import set_phase
from tests.voting.test_casting import cast, identity, put_rules

WITH_ZIPS = (
    b"neighbourhood,population,zip_codes\r\n"
    b"North,1000,14604 14605\r\nSouth,3000,14606\r\nEast,6000,\r\n"
)


def test_the_file_gives_each_neighbourhood_its_zip_codes_once():
    rows = parse_population(
        b'neighbourhood,population,zip_codes\nNorth,10,"14604, 14605-1234"\nSouth,5,14606\n'
    )
    assert [(r.neighborhood, r.zip_codes, r.groups) for r in rows] == [
        ("North", ("14604", "14605"), {}),  # a ZIP+4 is its ZIP, as a voter's typed one
        ("South", ("14606",), {}),
    ]
    with pytest.raises(PopulationProblem, match="ZIP 14604 is already in “North”"):
        parse_population(b"neighbourhood,population,zip_codes\nNorth,10,14604\nSouth,5,14604\n")
    with pytest.raises(PopulationProblem, match="Row 2.*is not a ZIP code"):
        parse_population(b"neighbourhood,population,zip_codes\nNorth,10,=1+2\n")


def test_online_voters_count_where_their_zip_is_and_only_the_neighbourhood_is_kept(
    client, organizer, world, session_factory
):
    pid = world.process_id
    place_sites(session_factory, {world.sites[0]: "North"})
    sign_in(client, organizer)
    assert upload(client, pid, WITH_ZIPS).status_code == 200
    assert "zip_codes" in client.get(f"/organize/processes/{pid}/equity/population.csv").text
    client.cookies.clear()
    set_phase(session_factory, pid, "design")
    put_rules(client, organizer, pid, credential="identity")
    set_phase(session_factory, pid, "voting")
    typed = [("Ana", "14605"), ("Bo", "14606-0001"), ("Cy", "14606"), ("Di", "90210")]
    for name, postal in typed:
        r = cast(client, pid, identity(name=name, postal=postal), world.proposals[:1])
        assert r.status_code == 201, r.text
    add_voters(session_factory, pid, [("kiosk", world.sites[0])] * 3)
    with session_factory() as s:
        kept = sorted(
            s.execute(
                select(Participation.channel, Participation.neighborhood).where(
                    Participation.process_id == pid
                )
            ).all(),
            key=str,
        )
        fig = equity.figures(session=s, process=s.get(Process, pid))
    assert kept == sorted(
        [("online", "North"), ("online", "South"), ("online", "South"), ("online", None)]
        + [("kiosk", None)] * 3,
        key=str,
    )
    assert {a.name: dict(a.by_channel) for a in fig.areas} == {
        "North": {"online": 1, "kiosk": 3},
        "South": {"online": 2},
        "East": {},
    }
    assert fig.unplaced["online"]["online"] == 1  # 90210 is in no neighbourhood
    assert fig.placed == 6 and fig.zip_mapped
    south = next(a for a in fig.areas if a.name == "South")
    assert south.voter_share == pytest.approx(2 / 6)
    # The staff page says what a neighbourhood means here, and counts online voters in it.
    sign_in(client, organizer)
    page = client.get(f"/organize/processes/{pid}/equity?lang=es").text
    assert "barrio significa dónde votó la gente" in page
