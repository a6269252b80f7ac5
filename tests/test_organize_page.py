"""The organizers' page: approve or send back proposals, make access codes, move phases."""

import base64
import csv
import io
import re

from sqlalchemy import func, select

from app.audit import AuditEntry
from app.voting.credentials import canonical_access_code
from app.voting.models import AccessCode
from tests.helpers import form_token
from tests.proposals.helpers import create_proposal, developing

ORIGIN = {"Origin": "http://testserver"}


def sign_in(client, staff):
    r = client.post(
        "/station/login",
        headers=ORIGIN,
        follow_redirects=False,
        data={"email": staff.user.email, "password": staff.password},
    )
    assert r.status_code == 303 and r.headers["location"] == "/organize"


def test_an_organizer_approves_sends_back_and_makes_codes(client, organizer, session):
    pid, ideas = developing(client, organizer)
    first = create_proposal(client, organizer, pid, ideas[:1], title="Food recovery")
    second = create_proposal(client, organizer, pid, ideas[1:2], title="Tiny homes")
    sign_in(client, organizer)
    page = client.get(f"/organize/processes/{pid}")
    assert "Food recovery" in page.text and "0 on the ballot, 5 needed" in page.text

    approve = f"/organize/processes/{pid}/proposals/{first['id']}/approve"
    # The status the overview drew the form for, and the overview to come back to.
    form = {"status": first["status"], "back": "overview"}
    assert f'action="{approve}"' in page.text
    approved = client.post(approve, headers=ORIGIN, data=form, follow_redirects=False)
    assert approved.headers["location"] == f"/organize/processes/{pid}"  # the overview, a GET
    approved = client.get(approved.headers["location"])
    assert "is on the ballot as number 1" in approved.text
    assert (
        client.get(f"/api/proposals/{first['id']}", headers=organizer.headers).json()[
            "ballot_number"
        ]
        == 1
    )
    # The same form again (Back + send, a reload): the proposal is approved now, nothing changes.
    again = client.post(approve, headers=ORIGIN, data=form)
    assert again.status_code == 200 and "is approved now" in again.text
    # Without the status it was drawn for, the service itself refuses it.
    twice = client.post(approve, headers=ORIGIN, data={"back": "overview"})
    assert twice.status_code == 409 and "already on the ballot" in twice.text
    refusal = session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "proposal.approve", AuditEntry.outcome == "refused"
        )
    ).scalar_one()
    assert refusal.actor_id == organizer.user.id  # pages audit refusals as the API does
    no_reason = client.post(
        f"/organize/processes/{pid}/proposals/{first['id']}/return",
        headers=ORIGIN,
        data={"reason": "", "back": "overview"},
    )
    assert no_reason.status_code == 422
    back = client.post(
        f"/organize/processes/{pid}/proposals/{first['id']}/return",
        headers=ORIGIN,
        data={"reason": "Please add a delivery partner.", "back": "overview"},
    )
    assert "went back to the delegates" in back.text
    # Voting cannot open short of the ballot: the guard answers in words on the page.
    refused = client.post(
        f"/organize/processes/{pid}/phase",
        headers=ORIGIN,
        data={"from": "proposal_development", "to": "voting", "reason": "Ready?"},
    )
    assert refused.status_code == 409 and "at least 5 are needed" in refused.text
    assert second["status"] == "draft"

    codes = client.post(
        f"/organize/processes/{pid}/codes",
        headers=ORIGIN,
        data={
            "count": "25",
            "label": "mail-out zone 3",
            "back": "overview",
            "form_token": form_token(),
        },
    )
    # The printable cards, with the same codes as a CSV inside the page, shown this once.
    assert codes.status_code == 200 and codes.headers["cache-control"] == "no-store"
    assert str(codes.url).endswith(f"/organize/processes/{pid}/codes/cards")
    link = re.search(r'href="data:text/csv;base64,([^"]+)"', codes.text).group(1)
    rows = list(csv.DictReader(io.StringIO(base64.b64decode(link).decode())))
    assert len(rows) == 25 and {r["batch"] for r in rows} == {"mail-out zone 3"}
    assert all(canonical_access_code(r["access_code"]) for r in rows)
    assert session.execute(select(func.count()).select_from(AccessCode)).scalar_one() == 25
    bad = client.post(
        f"/organize/processes/{pid}/codes",
        headers=ORIGIN,
        data={"count": "0", "label": "x", "back": "overview", "form_token": form_token()},
    )
    assert bad.status_code == 422


def test_other_roles_cannot_use_the_organizer_page(client, make_staff):
    from app.users.models import Role

    delegate = make_staff(Role.delegate)
    client.post(
        "/station/login",
        headers=ORIGIN,
        data={"email": delegate.user.email, "password": delegate.password},
    )
    refused = client.get("/organize", follow_redirects=False)
    assert refused.status_code == 403 and "signed in as a budget delegate" in refused.text
    r = client.post(
        "/organize/processes/1/codes",
        headers=ORIGIN,
        data={"count": "5", "label": "x"},
        follow_redirects=False,
    )
    assert r.status_code == 403
