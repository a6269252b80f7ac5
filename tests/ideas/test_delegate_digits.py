"""The delegate's score form takes scores in ASCII digits only; anything else is a 422."""

import pytest
from sqlalchemy import func, select

from app.ideas.models import DelegateScore
from app.users.models import Role
from tests.ideas.helpers import advance, create_process, criteria_ids, submit_idea

ORIGIN = {"Origin": "http://testserver"}


@pytest.mark.parametrize("score", ["¹", "٣", "9" * 5000])
def test_odd_digits_in_a_score_are_refused(client, organizer, make_staff, session, score):
    pid = create_process(client, organizer)["id"]
    advance(client, organizer, pid, "idea_collection")
    idea = submit_idea(client, pid)["id"]
    advance(client, organizer, pid, "proposal_development")
    delegate = make_staff(Role.delegate)
    client.post(
        "/station/login",
        headers=ORIGIN,
        data={"email": delegate.user.email, "password": delegate.password},
    )
    form = {f"criterion_{c}": "3" for c in criteria_ids(client, pid)}
    form[next(iter(form))] = score
    form["criterion_¹"] = "4"
    r = client.post(f"/delegate/ideas/{idea}", headers=ORIGIN, data=form)
    assert r.status_code == 422 and 'role="alert"' in r.text
    assert session.execute(select(func.count()).select_from(DelegateScore)).scalar_one() == 0
