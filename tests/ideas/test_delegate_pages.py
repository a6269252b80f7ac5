from sqlalchemy import func, select

from app.ideas.models import DelegateScore
from app.users.models import Role
from tests.ideas.helpers import advance, create_process, submit_idea

ORIGIN = {"Origin": "http://testserver"}


def test_a_delegate_scores_ideas_one_after_another(client, organizer, make_staff, session):
    pid = create_process(client, organizer)["id"]
    advance(client, organizer, pid, "idea_collection")
    ideas = [
        submit_idea(client, pid, title=f"Idea {n}", description="Details.")["id"] for n in range(3)
    ]
    advance(client, organizer, pid, "proposal_development")
    delegate = make_staff(Role.delegate)
    login = client.post(
        "/station/login",
        headers=ORIGIN,
        follow_redirects=False,
        data={"email": delegate.user.email, "password": delegate.password},
    )
    assert login.status_code == 303 and login.headers["location"] == "/delegate"
    overview = client.get("/delegate")
    assert "You have scored 0 of 3 ideas." in overview.text

    page = client.get(f"/delegate/ideas/{ideas[0]}")
    criteria = sorted(
        set(int(part.split('"')[0]) for part in page.text.split('name="criterion_')[1:])
    )
    assert len(criteria) == 4  # RMAPI's four criteria
    incomplete = {f"criterion_{criteria[0]}": "5"}
    refused = client.post(f"/delegate/ideas/{ideas[0]}", headers=ORIGIN, data=incomplete)
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert session.execute(select(func.count()).select_from(DelegateScore)).scalar_one() == 0

    full = {f"criterion_{c}": str(n) for c, n in zip(criteria, [5, 4, 3, 2], strict=True)}
    saved = client.post(
        f"/delegate/ideas/{ideas[0]}", headers=ORIGIN, data=full, follow_redirects=False
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/delegate/ideas/{ideas[1]}"
    assert "You have scored 1 of 3 ideas." in client.get("/delegate").text
    again = client.get(f"/delegate/ideas/{ideas[0]}")
    assert f'name="criterion_{criteria[0]}" value="5" checked' in again.text

    other_site = client.post(
        f"/delegate/ideas/{ideas[1]}", data=full, headers={"Origin": "https://evil.example"}
    )
    assert other_site.status_code == 403


def test_the_public_is_sent_to_sign_in(client):
    r = client.get("/delegate", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/station"
