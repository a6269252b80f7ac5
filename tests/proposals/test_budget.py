"""A proposal that costs more than the process's whole budget (issue 20: $250,000 in a
$200,000 process went onto the ballot as No. 1): refused when its cost is set (made or
edited), sent or approved, through the API and the pages, changing nothing; the approval
page shows the ballot's total against the budget, and what it would be after approval."""

import html

from sqlalchemy import select

from app.proposals.models import Proposal
from app.users.models import Role
from tests.helpers import answered, assert_error, count
from tests.proposals.helpers import approve, create_proposal, developing, proposal_body
from tests.proposals.test_editor_pages import complete, editor_form, sign_in
from tests.test_organize_page import ORIGIN

BUDGET = 200_000_00
OVER = "The cost ($250,000) is more than the process's whole budget ($200,000)"


def stored(session_factory, proposal_id):
    with session_factory() as session:
        p = session.get(Proposal, proposal_id)
        return (p.status, p.cost_cents, p.ballot_number, p.updated_at)


def costing(session_factory, proposal_id, cents):
    """A proposal stored before the rule, with this cost."""
    with session_factory() as session:
        session.get(Proposal, proposal_id).cost_cents = cents
        session.commit()


def test_the_api_refuses_a_cost_over_the_budget(client, organizer, session, session_factory):
    pid, ideas = developing(client, organizer, budget_cents=BUDGET)
    made = client.post(
        f"/api/processes/{pid}/proposals",
        json=proposal_body(ideas[:1], cost_cents=250_000_00),
        headers=organizer.headers,
    )
    body = assert_error(made, 422, "cost_over_budget")
    assert body["field"] == "cost_cents" and OVER in body["message"]
    assert count(session, Proposal) == 0
    # Exactly the budget is allowed.
    proposal = create_proposal(client, organizer, pid, ideas[:1], cost_cents=BUDGET)
    before = stored(session_factory, proposal["id"])
    edited = client.patch(
        f"/api/proposals/{proposal['id']}",
        json={"cost_cents": 250_000_00},
        headers=organizer.headers,
    )
    assert assert_error(edited, 422, "cost_over_budget")["field"] == "cost_cents"
    lines = {"cost_lines": [{"description": "Van", "amount_cents": 250_000_00}]}
    by_lines = client.patch(
        f"/api/proposals/{proposal['id']}", json=lines, headers=organizer.headers
    )
    assert_error(by_lines, 422, "cost_over_budget")
    assert stored(session_factory, proposal["id"]) == before

    costing(session_factory, proposal["id"], 250_000_00)
    before = stored(session_factory, proposal["id"])
    for step in ("submit", "approve"):
        r = client.post(f"/api/proposals/{proposal['id']}/{step}", headers=organizer.headers)
        assert assert_error(r, 409, "cost_over_budget")["field"] == "cost_cents"
        assert stored(session_factory, proposal["id"]) == before
    assert before[2] is None  # never numbered on the ballot


def test_the_editor_refuses_a_cost_over_the_budget(client, organizer, make_staff, session_factory):
    pid, ideas = developing(client, organizer, budget_cents=BUDGET)
    delegate = make_staff(Role.delegate)
    proposal = create_proposal(client, delegate, pid, ideas[:1], cost_cents=40_000_00)
    before = stored(session_factory, proposal["id"])
    sign_in(client, delegate, "/delegate")
    editor = f"/delegate/proposals/{proposal['id']}"
    for action in ("save", "send"):
        form = complete(editor_form(ideas[:1], line_0_amount="250,000", line_1_amount=""))
        form["line_1_description"] = ""
        sent = client.post(
            editor, headers=ORIGIN, data={**form, "action": action}, follow_redirects=False
        )
        page = answered(client, sent, status=422)
        assert OVER in html.unescape(page.text)
        assert 'value="250,000"' in page.text  # what was typed stays
        assert stored(session_factory, proposal["id"]) == before


def test_the_approval_page_shows_the_ballot_against_the_budget(client, organizer, session_factory):
    pid, ideas = developing(client, organizer, budget_cents=BUDGET)
    first = create_proposal(client, organizer, pid, ideas[:1], cost_cents=40_000_00)
    approve(client, organizer, first["id"])
    second = create_proposal(client, organizer, pid, ideas[1:2], cost_cents=60_000_00)
    dear = create_proposal(client, organizer, pid, ideas[2:3], cost_cents=50_000_00)
    costing(session_factory, dear["id"], 250_000_00)
    sign_in(client, organizer, "/organize")
    review = f"/organize/processes/{pid}/proposals"
    page = client.get(review)
    assert "the ballot costs $40,000 of a $200,000 budget" in page.text
    assert (
        "On the ballot now: $40,000. With this proposal: $100,000, "
        "against a budget of $200,000." in page.text
    )
    assert "This proposal costs $250,000, more than the whole budget of $200,000" in page.text

    before = stored(session_factory, dear["id"])
    refused = client.post(
        f"{review}/{dear['id']}/approve",
        headers=ORIGIN,
        data={"status": "draft"},
        follow_redirects=False,
    )
    assert OVER in html.unescape(answered(client, refused, status=409).text)
    assert stored(session_factory, dear["id"]) == before

    done = client.post(
        f"{review}/{second['id']}/approve",
        headers=ORIGIN,
        data={"status": "draft"},
        follow_redirects=False,
    )
    page = answered(client, done)
    assert "the ballot costs $100,000 of a $200,000 budget" in page.text
    with session_factory() as session:
        numbers = session.execute(
            select(Proposal.ballot_number).where(Proposal.process_id == pid)
        ).scalars()
        assert sorted(n for n in numbers if n) == [1, 2]
