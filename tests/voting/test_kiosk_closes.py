"""A kiosk lives only while the poll worker who opened it may: once an organizer unassigns
them from the kiosk's site, deactivates them (reactivated or not) or resets their password,
the kiosk takes no further vote, not even from a voter already at its ballot, on the pages
or through the API, and says it is not open."""

import pytest

from app.web.i18n import translate
from tests.voting.helpers import counts, refusals_counted
from tests.voting.test_in_person import kiosk_cast
from tests.voting.test_in_person import open_kiosk as open_api_kiosk
from tests.voting.test_kiosk_pages import ORIGIN, open_kiosk, ranks, start, ticket_for


def decide(client, organizer, worker, world, decision: str) -> None:
    """What the organizer does to the kiosk's poll worker, through the API."""
    uid = worker.user.id
    steps = {
        "unassigned": [("delete", f"/api/sites/{world.sites[0]}/poll-workers/{uid}", None)],
        "deactivated": [("patch", f"/api/users/{uid}", {"is_active": False})],
        "reactivated": [
            ("patch", f"/api/users/{uid}", {"is_active": False}),
            ("patch", f"/api/users/{uid}", {"is_active": True}),
        ],
        "password_reset": [("post", f"/api/users/{uid}/password", {})],
    }[decision]
    for method, url, body in steps:
        kwargs = {"json": body} if body is not None else {}
        r = client.request(method.upper(), url, headers=organizer.headers, **kwargs)
        assert r.status_code in (200, 204), r.text


@pytest.mark.parametrize("decision", ["unassigned", "deactivated", "reactivated", "password_reset"])
def test_a_kiosk_stops_taking_votes_once_its_poll_worker_may_not_open_it(
    client, organizer, poll_worker, world, session_factory, decision
):
    open_kiosk(client, poll_worker, world.sites[0])  # this client is the kiosk now
    api_kiosk = open_api_kiosk(client, poll_worker, world)
    first, second, third = (
        ticket_for(client, poll_worker, world, name=name) for name in ("Ann A", "Bo B", "Cy C")
    )
    assert start(client, first).headers["location"] == "/kiosk/ballot"
    voted = client.post("/kiosk/cast", data=ranks(world), headers=ORIGIN, follow_redirects=False)
    assert voted.headers["location"] == "/kiosk/done"  # open: it takes votes
    assert start(client, second).headers["location"] == "/kiosk/ballot"  # a voter at it

    decide(client, organizer, poll_worker, world, decision)

    before = counts(session_factory)
    cast = client.post("/kiosk/cast", data=ranks(world), headers=ORIGIN, follow_redirects=False)
    assert cast.status_code == 303 and cast.headers["location"] == "/kiosk"
    r = kiosk_cast(client, world, third, api_kiosk)
    assert r.status_code == 401 and r.json()["error"] == "kiosk_not_open", r.text
    assert counts(session_factory) == before  # no ballot, no ticket spent
    assert start(client, third).headers["location"] != "/kiosk/ballot"
    home = client.get("/kiosk")
    assert translate("en", "kiosk.not_open") in home.text
    assert 'name="kiosk_ticket"' not in home.text
    counted = refusals_counted(client, session_factory, "ballot.kiosk")
    assert counted["ballot.kiosk 401 kiosk_not_open"] >= 2
