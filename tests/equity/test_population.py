"""The reference population CSV: a good file replaces the list; a bad one is refused with
its row and column named, and nothing changes."""

import csv
import io

import pytest
from sqlalchemy import select

from app.audit import AuditEntry
from app.equity.models import ReferencePopulation
from tests.equity.helpers import POPULATION, sign_in, upload


def stored(session_factory, process_id):
    with session_factory() as s:
        return [
            (r.neighborhood, r.population, r.groups)
            for r in s.execute(
                select(ReferencePopulation)
                .where(ReferencePopulation.process_id == process_id)
                .order_by(ReferencePopulation.position)
            ).scalars()
        ]


def test_a_good_file_replaces_the_whole_list_and_is_audited(
    client, organizer, world, session_factory
):
    sign_in(client, organizer)
    r = upload(client, world.process_id, POPULATION)
    assert r.status_code == 200, r.text
    assert "3 neighbourhoods" in r.text
    assert stored(session_factory, world.process_id) == [
        ("North", 1000, {"black": 600, "under_25": 300}),
        ("South", 3000, {"black": 900, "under_25": 800}),
        ("East", 6000, {"black": 1200, "under_25": 1500}),
    ]
    # Replace-all: the second file is the list, with its own (or no) group columns.
    r = upload(client, world.process_id, b'neighborhood,population\n"West, upper","12,500"\n')
    assert r.status_code == 200, r.text
    assert stored(session_factory, world.process_id) == [("West, upper", 12500, {})]
    with session_factory() as s:
        entries = (
            s.execute(select(AuditEntry).where(AuditEntry.action == "equity.population"))
            .scalars()
            .all()
        )
    assert [e.detail["neighbourhoods"] for e in entries] == [3, 1]
    assert (
        entries[0].actor_id == organizer.user.id
        and entries[1].detail["replaced_neighbourhoods"] == 3
    )


BAD_FILES = [
    (b"", "empty"),
    (b"\xff\xfeN\x00", "not UTF-8"),
    (b"name,people\nNorth,10\n", "Row 1"),
    (b"neighbourhood,population\n", "no neighbourhoods"),
    (b"neighbourhood,population\nNorth,ten\n", "Row 2, column “population”"),
    (b"neighbourhood,population\nNorth,-5\n", "Row 2, column “population”"),
    (b"neighbourhood,population\nNorth,10\nnorth,20\n", "Row 3, column “neighbourhood”"),
    (b"neighbourhood,population\nNorth,10\n,20\n", "Row 3, column “neighbourhood”"),
    (b"neighbourhood,population\nNorth,10,4\n", "Row 2 has 3 columns"),
    (b"neighbourhood,population,black\nNorth,10,11\n", "Row 2, column “black”"),
    (b"neighbourhood,population,black,Black\nNorth,10,1,1\n", "Row 1, column 4"),
    (b"neighbourhood,population\nNorth,0\n", "every neighbourhood has 0"),
    (b"\xef\xbb\xbf", "empty"),  # only the byte order mark a spreadsheet writes
    (b"\xef\xbb\xbf\r\n  \r\n", "empty"),
    (b"neighbourhood,population\nNorth," + b"9" * 5000 + b"\n", "5,000 digits is too large"),
    (b"neighbourhood,population\nNorth,100000001\n", "100,000,001 is too large"),
    # PostgreSQL cannot store a NUL in text: refused before the database sees it
    (b"neighbourhood,population\nNorth,10\nSo\x00uth,20\n", "Line 3 holds a NUL"),
    (b"neighbourhood,population,bl\x00ck\nNorth,10,1\n", "Line 1 holds a NUL"),
]


@pytest.mark.parametrize(("content", "said"), BAD_FILES)
def test_a_bad_file_is_refused_with_its_place_and_nothing_changes(
    client, organizer, world, session_factory, content, said
):
    sign_in(client, organizer)
    assert upload(client, world.process_id, POPULATION).status_code == 200
    before = stored(session_factory, world.process_id)
    r = upload(client, world.process_id, content)
    assert r.status_code == 422
    assert said in r.text
    assert stored(session_factory, world.process_id) == before
    with session_factory() as s:
        refused = (
            s.execute(select(AuditEntry).where(AuditEntry.outcome == "refused")).scalars().all()
        )
    assert refused and refused[-1].actor_id == organizer.user.id


def test_the_list_downloads_formula_safe_and_uploads_again(
    client, organizer, world, session_factory
):
    sign_in(client, organizer)
    content = b"neighbourhood,population,=risky\n=SUM(A1),100,5\n+Park,50,0\n"
    assert upload(client, world.process_id, content).status_code == 200
    r = client.get(f"/organize/processes/{world.process_id}/equity/population.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows == [
        ["neighbourhood", "population", "=risky"],
        ["'=SUM(A1)", "100", "5"],
        ["'+Park", "50", "0"],
    ]
    before = stored(session_factory, world.process_id)
    assert upload(client, world.process_id, r.content).status_code == 200
    assert stored(session_factory, world.process_id) == before


def test_only_organizers_see_or_change_it(client, make_staff, world, session_factory):
    from app.users.models import Role

    r = client.get(f"/organize/processes/{world.process_id}/equity", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/station"
    worker = make_staff(Role.poll_worker)
    sign_in(client, worker)
    r = upload(client, world.process_id, POPULATION)
    assert r.status_code == 403 and "signed in as a poll worker" in r.text
    assert stored(session_factory, world.process_id) == []


def test_a_cross_site_upload_is_refused(client, organizer, world, session_factory):
    sign_in(client, organizer)
    r = client.post(
        f"/organize/processes/{world.process_id}/equity/population",
        headers={"Origin": "http://elsewhere.example"},
        files={"file": ("p.csv", POPULATION, "text/csv")},
    )
    assert r.status_code == 403
    assert stored(session_factory, world.process_id) == []


def test_a_large_file_is_allowed_past_the_form_limit(client, organizer, world, session_factory):
    sign_in(client, organizer)
    lines = ["neighbourhood,population"] + [
        f"Block {n} {'x' * 100},{n + 1:030d}" for n in range(1999)
    ]
    content = ("\n".join(lines) + "\n").encode()
    assert len(content) > 256 * 1024
    r = upload(client, world.process_id, content)
    assert r.status_code == 200, r.text[:500]
    assert len(stored(session_factory, world.process_id)) == 1999
