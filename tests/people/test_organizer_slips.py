"""Slips the organizers' pages catch (issue 20): each refusal names its field and changes
nothing; the API answers the same rule with a 4xx naming the field."""

from sqlalchemy import select

from app.sites.models import Site
from tests.helpers import answered, count
from tests.ideas.helpers import create_process
from tests.people.helpers import post, sign_in
from tests.people.test_sites_page import VOTING_SITE


def test_a_site_closing_before_it_opens_names_the_field(client, organizer, session):
    pid = create_process(client, organizer, time_zone="America/New_York")["id"]
    sign_in(client, organizer)
    backwards = {**VOTING_SITE, "closes_at": "2027-04-02T08:00"}
    page = answered(client, post(client, f"/organize/processes/{pid}/sites", backwards), status=422)
    assert "Check these fields and try again: Closes" in page.text, page.text
    assert "—." not in page.text
    assert count(session, Site, Site.process_id == pid) == 0
    api = client.post(
        f"/api/processes/{pid}/sites",
        json={
            "name": "Library",
            "kind": "voting_site",
            "address": "1 Main St",
            "opens_at": "2027-04-02T13:00:00Z",
            "closes_at": "2027-04-02T12:00:00Z",
        },
        headers=organizer.headers,
    )
    assert api.status_code == 422 and api.json()["field"] == "closes_at", api.text
    # A site edited backwards: the same words, nothing changed.
    post(client, f"/organize/processes/{pid}/sites", VOTING_SITE)
    site = session.execute(select(Site).where(Site.process_id == pid)).scalar_one()
    edited = post(client, f"/organize/processes/{pid}/sites/{site.id}", backwards)
    assert "Closes" in answered(client, edited, status=422).text
    session.refresh(site)
    assert site.closes_at.hour == 0  # 20:00 in New York, as added
