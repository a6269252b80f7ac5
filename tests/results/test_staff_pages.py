"""The organizers' results page (a marked PREVIEW while voting, never shown to residents;
the official result from funding on) and the awards page (at most a project's cost, money
in the currency, progress recorded after the process is closed)."""

import re

import pytest
from sqlalchemy import select

from app.digits import parse_money
from app.results.models import ProjectAward
from tests.helpers import assert_error, form_token
from tests.results.test_results_and_exports import cast_online, to_funding
from tests.test_organize_page import ORIGIN, sign_in


def test_the_preview_is_marked_and_only_organizers_see_it(client, paper, codes):
    pid = paper.world.process_id
    cast_online(client, paper.world, codes)
    sign_in(client, paper.organizer)
    page = client.get(f"/organize/processes/{pid}/results")
    assert page.status_code == 200
    assert (
        "PREVIEW: not the official result" in page.text and "residents do not see it" in page.text
    )
    assert "Proposal 3" in page.text and "Would be funded" in page.text
    assert "Official result" not in page.text
    client.cookies.clear()
    resident = client.get(f"/processes/{pid}/results")
    assert resident.status_code == 200
    assert "PREVIEW" not in resident.text and "Proposal 3" not in resident.text
    anonymous = client.get(f"/organize/processes/{pid}/results", follow_redirects=False)
    assert anonymous.status_code == 303


def test_after_funding_the_page_shows_the_official_result(client, paper, codes):
    pid = paper.world.process_id
    cast_online(client, paper.world, codes)
    to_funding(client, paper)
    sign_in(client, paper.organizer)
    page = client.get(f"/organize/processes/{pid}/results")
    assert "Official result" in page.text and "PREVIEW" not in page.text
    assert f'href="/processes/{pid}/exports/ballots.pb"' in page.text
    assert f'href="/processes/{pid}/results"' in page.text


def test_results_before_voting_say_there_is_nothing_yet(client, organizer, session_factory):
    from tests.voting.helpers import build_world

    world = build_world(session_factory, phase="proposal_development")
    sign_in(client, organizer)
    page = client.get(f"/organize/processes/{world.process_id}/results")
    assert page.status_code == 200 and "There is no count to show yet." in page.text


def award_form(client, pid, proposal, token=None, **fields):
    """The awards page's form for one project, sent from a fresh page (or `token`'s), and the
    page its 303 leads to."""
    body = {"amount": "9,500", "organisation": "Foodlink", "status": "awarded", **fields}
    body["form_token"] = token or form_token()
    return client.post(f"/organize/processes/{pid}/awards/{proposal}", headers=ORIGIN, data=body)


def awards_of(session_factory):
    with session_factory() as session:
        return [
            (a.proposal_id, a.amount_cents, a.organisation, a.status, a.note)
            for a in session.execute(select(ProjectAward)).scalars()
        ]


def test_an_award_above_the_cost_is_refused_on_the_page_and_in_the_api(
    client, paper, codes, session_factory
):
    pid = paper.world.process_id
    cast_online(client, paper.world, codes)
    to_funding(client, paper)
    funded = paper.world.proposals[2]  # number 3, $10,000
    sign_in(client, paper.organizer)
    page = client.get(f"/organize/processes/{pid}/awards")
    assert page.status_code == 200 and "Proposal 3" in page.text
    too_much = award_form(client, pid, funded, amount="15,000")
    assert too_much.status_code == 409
    assert "$15,000" in too_much.text and "$10,000" in too_much.text
    assert "cents" not in too_much.text and "1500000" not in too_much.text
    assert 'value="15,000"' in too_much.text  # the form comes back as it was typed
    api = client.put(
        f"/api/processes/{pid}/projects/{funded}/award",
        headers=paper.organizer.headers,
        json={"amount_cents": 20_000_00, "organisation": "Foodlink"},
    )
    body = assert_error(api, 409, "over_cost")
    assert "$20,000" in body["message"] and "cents" not in body["message"]
    over_budget = client.put(
        f"/api/processes/{pid}/projects/{funded}/award",
        headers=paper.organizer.headers,
        json={"amount_cents": 10**9, "organisation": "Foodlink"},
    )
    body = assert_error(over_budget, 409, "over_budget")
    assert "$10,000,000" in body["message"] and "$100,000" in body["message"]
    assert "cents" not in body["message"]
    assert awards_of(session_factory) == []
    bad = award_form(client, pid, funded, amount="ten thousand")
    assert bad.status_code == 422 and awards_of(session_factory) == []
    token = form_token()
    done = award_form(client, pid, funded, token, amount="9500.50", note="Signed in March.")
    assert done.status_code == 200 and "Saved" in done.text
    # Back + Save again: the same form is not recorded twice (nor audited twice).
    again = award_form(client, pid, funded, token, amount="9500.50", note="Signed in March.")
    assert again.status_code == 200 and "sent already" in again.text
    assert awards_of(session_factory) == [
        (funded, 950_050, "Foodlink", "awarded", "Signed in March.")
    ]
    assert 'value="9500.50"' in done.text and "$9,500.50" in done.text
    exact = award_form(client, pid, funded, amount="10,000")
    assert exact.status_code == 200  # the whole cost is allowed


def test_progress_is_recorded_after_the_process_is_closed(client, paper, codes, session_factory):
    pid = paper.world.process_id
    cast_online(client, paper.world, codes)
    to_funding(client, paper)
    funded, other = paper.world.proposals[2], paper.world.proposals[0]
    sign_in(client, paper.organizer)
    assert award_form(client, pid, funded).status_code == 200
    closed = client.post(
        f"/api/processes/{pid}/transitions",
        headers=paper.organizer.headers,
        json={"to": "closed", "reason": "Delivery is tracked from here."},
    )
    assert closed.status_code == 201, closed.text
    page = client.get(f"/organize/processes/{pid}/awards")
    assert "only the status and the note" in page.text
    progress = award_form(client, pid, funded, status="completed", note="Opened in May.")
    assert progress.status_code == 200, progress.text
    assert awards_of(session_factory) == [
        (funded, 950_000, "Foodlink", "completed", "Opened in May.")
    ]
    changed = award_form(client, pid, funded, amount="9,000", status="completed")
    assert changed.status_code == 409
    new = award_form(client, pid, other)
    assert new.status_code == 409 and len(awards_of(session_factory)) == 1
    row = re.search(r"Proposal 3</h2>\s*<p class=\"meta\">(.*?)</p>", page.text, re.S)
    assert row and "$9,500" in row.group(1)


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("15,000", 15_000_00),
        ("15000.50", 15_000_50),
        ("$15,000", 15_000_00),
        ("15000.5", 15_000_50),
        (" 1,234,567.89 ", 1_234_567_89),
        ("1,50", 1_50),  # a decimal comma (two digits after it): never a thousands separator
        ("15,0000", None),
        ("15.000", 15_000_00),  # as Vietnamese and Spanish in Spain write it
        ("15.000,50", 15_000_50),
        ("1.234.56", None),  # neither way of writing: refused, not misread
        ("١٥٠٠٠", None),
        ("-5", None),
        ("", None),
        ("9" * 14, None),
    ],
)
def test_amounts_typed_into_forms(typed, cents):
    assert parse_money(typed) == cents
