"""Numbers typed into forms and CSV files: ASCII digits only, never a 500, nothing stored.

`str.isdigit` says yes to `¹` and to Arabic-Indic digits, and `int()` gives up on a
5,000-digit number: each place that read a number that way crashed or misread it.
"""

import pytest

from tests.helpers import answered, form_token
from tests.paper.test_batches import new_batch, rows
from tests.paper.test_import_and_count import load
from tests.voting.helpers import build_world, counts

ORIGIN = {"Origin": "http://testserver"}
HUGE = "9" * 5000


def sign_in(client, staff) -> None:
    r = client.post(
        "/station/login",
        headers=ORIGIN,
        follow_redirects=False,
        data={"email": staff.user.email, "password": staff.password},
    )
    assert r.status_code == 303, r.text


@pytest.mark.parametrize("rank", ["¹", "٣", HUGE])
def test_the_vote_form_takes_only_ascii_ranks(client, session_factory, rank):
    world = build_world(session_factory)
    before = counts(session_factory)
    r = client.post(
        f"/processes/{world.process_id}/vote",
        headers={**ORIGIN, "Accept": "text/html"},
        data={"rank_1": rank, "access_code": "ABCD-EFGH-JKMN"},
    )
    assert 400 <= r.status_code < 500, r.text
    assert counts(session_factory) == before


@pytest.mark.parametrize(
    "line",
    ["1,1,¹:1,", "1,1,1:¹,", f"1,1,1:{HUGE},", "٣,1,1:1,", f"{HUGE},1,1:1,", "³,1,1:1,"],
)
def test_csv_marks_and_sheets_are_ascii_numbers(client, paper, session_factory, line):
    batch = new_batch(client, paper, sheets=3)
    before = rows(session_factory)
    r = load(client, paper.first, batch, f"sheet,pass,marks,flag\n{line}\n".encode())
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "bad_csv"
    assert len(r.text) < 2000  # the refusal quotes the cell, not all of it
    assert rows(session_factory) == before


@pytest.mark.parametrize("sheets", ["¹", "٣", HUGE])
def test_the_station_batch_form_takes_only_ascii_counts(client, paper, session_factory, sheets):
    sign_in(client, paper.first)
    before = rows(session_factory)
    r = client.post(
        f"/station/sites/{paper.world.sites[0]}/paper-batches",
        headers=ORIGIN,
        data={"sheets": sheets, "form_token": form_token()},
        follow_redirects=False,
    )
    assert "number of sheets" in answered(client, r, status=422).text
    assert rows(session_factory) == before


@pytest.mark.parametrize("sheet", ["¹", "٣", HUGE])
def test_the_station_sheet_form_takes_only_ascii_sheets(client, paper, session_factory, sheet):
    batch = new_batch(client, paper, sheets=3)
    sign_in(client, paper.first)
    before = rows(session_factory)
    r = client.post(
        f"/station/batches/{batch}",
        headers=ORIGIN,
        data={"sheet": sheet, "marks": "1:1", "form_token": form_token()},
    )
    assert r.status_code == 422 and "beyond this batch" in r.text
    assert rows(session_factory) == before


@pytest.mark.parametrize("number", ["¹", "٣", HUGE])
def test_the_organizer_code_form_takes_only_ascii_counts(client, paper, session_factory, number):
    sign_in(client, paper.organizer)
    r = client.post(
        f"/organize/processes/{paper.world.process_id}/codes",
        headers=ORIGIN,
        data={"count": number, "label": "Library", "back": "overview"},
    )
    assert r.status_code == 422 and "how many codes" in r.text
