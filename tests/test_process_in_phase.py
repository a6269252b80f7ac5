"""`process_in_phase(...)`: a route bound to a phase answers 404 for a missing process and
409 `wrong_phase` for the wrong phase, audited as the staff member, before anything else
about the request is looked at; sign-in is still checked first."""

import pytest

from tests.helpers import assert_error, refused_by
from tests.voting.helpers import build_world, set_phase

CODES = "/api/processes/{pid}/access-codes"
VOID = "/api/processes/{pid}/access-codes/void"


@pytest.mark.parametrize(
    "path,body,words,action",
    [
        (CODES, {"count": 0, "label": ""}, "can only be made", "voting.access_codes"),
        (VOID, {"label": ""}, "can only be withdrawn", "voting.access_codes.void"),
    ],
)
def test_the_wrong_phase_is_said_first_and_audited(
    client, session, session_factory, organizer, path, body, words, action
):
    world = build_world(session_factory)
    set_phase(session_factory, world.process_id, "funding")
    r = client.post(path.format(pid=world.process_id), json=body, headers=organizer.headers)
    error = assert_error(r, 409, "wrong_phase")
    assert error["message"] == (
        f"Access codes {words} before voting ends; the process is in funding."
    )
    [entry] = refused_by(session, organizer.user.id)
    assert (entry.action, entry.target) == (action, f"process:{world.process_id}")
    assert entry.detail["status"] == 409 and entry.detail["error"] == "wrong_phase"


def test_a_missing_process_is_404_and_sign_in_comes_first(client, session_factory, organizer):
    world = build_world(session_factory)
    missing = world.process_id + 1000
    body = {"count": 1, "label": "x"}
    r = client.post(CODES.format(pid=missing), json=body, headers=organizer.headers)
    assert_error(r, 404, "not_found")
    set_phase(session_factory, world.process_id, "funding")
    assert_error(client.post(CODES.format(pid=world.process_id), json=body), 401)


def test_in_its_phase_the_route_runs(client, session_factory, organizer):
    world = build_world(session_factory)
    set_phase(session_factory, world.process_id, "voting")
    body = {"count": 2, "label": "late"}
    r = client.post(CODES.format(pid=world.process_id), json=body, headers=organizer.headers)
    assert r.status_code == 201 and len(r.json()["codes"]) == 2
