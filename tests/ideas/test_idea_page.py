from sqlalchemy import func, select

from app.ideas.models import Idea
from tests.helpers import form_token
from tests.ideas.helpers import advance, create_process


def ideas(session) -> list[Idea]:
    session.expire_all()
    return list(session.execute(select(Idea)).scalars())


def test_a_resident_shares_an_idea_from_the_form(client, organizer, session):
    pid = create_process(client, organizer)["id"]
    advance(client, organizer, pid, "idea_collection")
    page = client.get(f"/processes/{pid}")
    assert f'href="/processes/{pid}/ideas/new"' in page.text
    form = {
        "title": "Bancos en la parada",
        "description": "Sombra y bancos en Main St.",
        "neighborhood": "",
        "contact_name": "Rosa",
        "contact_email": "rosa@example.org",
        "form_token": form_token(),
    }
    sent = client.post(f"/processes/{pid}/ideas/new?lang=es", data=form, follow_redirects=False)
    assert sent.status_code == 303 and "rosa" not in sent.headers["location"]
    r = client.get(sent.headers["location"])
    assert r.status_code == 200 and "¡Gracias!" in r.text
    # A reload of the thank-you page sends nothing: it is the empty form again.
    assert "¡Gracias!" not in client.get(sent.headers["location"]).text
    # Back, then Share again: the same form (its address, so its token) shares nothing twice.
    again = client.post(f"/processes/{pid}/ideas/new?lang=es", data=form)
    assert again.status_code == 200 and "ya se había compartido" in again.text
    (idea,) = ideas(session)
    assert (idea.title, idea.language, idea.channel, idea.neighborhood) == (
        "Bancos en la parada",
        "es",
        "online",
        None,
    )
    assert idea.contact_email == "rosa@example.org"
    listed = client.get(f"/api/processes/{pid}/ideas")
    assert listed.status_code == 200 and "Bancos en la parada" in listed.text
    assert "rosa@example.org" not in listed.text


def test_a_bad_idea_is_explained_and_nothing_is_stored(client, organizer, session):
    pid = create_process(client, organizer)["id"]
    advance(client, organizer, pid, "idea_collection")
    r = client.post(
        f"/processes/{pid}/ideas/new",
        data={"title": "", "description": "Something", "contact_email": "not an email"},
    )
    assert r.status_code == 422 and 'role="alert"' in r.text
    assert "Your idea in a few words" in r.text.split('role="alert"')[1][:400]
    assert 'value="Something"' not in r.text and ">Something</textarea>" in r.text  # kept
    assert session.execute(select(func.count()).select_from(Idea)).scalar_one() == 0


def test_no_ideas_outside_idea_collection(client, organizer, session):
    pid = create_process(client, organizer)["id"]
    page = client.get(f"/processes/{pid}/ideas/new")
    assert "not collecting ideas now" in page.text and "<form" not in page.text
    r = client.post(
        f"/processes/{pid}/ideas/new",
        data={"title": "x", "description": "y", "form_token": form_token()},
    )
    assert r.status_code == 409 and "not collecting ideas" in r.text
    assert session.execute(select(func.count()).select_from(Idea)).scalar_one() == 0
