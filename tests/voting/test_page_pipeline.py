"""The ballot page and the kiosk cast on the request pipeline, like every other route: plain
`def` routes in FastAPI's worker threads, the request's own session (`SessionDep`), which
commits, and no database slot held around sessions opened by hand."""

import inspect

from fastapi.routing import iter_route_contexts

from app.db import _hold_slot
from app.voting.credentials import new_access_code
from tests.voting.helpers import counts, throttle_rows

# The JSON cast keeps a session of its own: its refusal goes to the error handler, and
# the session dependency would roll back the wrong code's guess with it.
OWN_SESSION = {("POST", "/api/processes/{process_id}/ballots")}


def test_every_route_is_a_plain_def_on_the_session_dependency(app):
    routes = [r for r in iter_route_contexts(app.routes) if hasattr(r, "dependencies")]
    on_the_loop = [r.path for r in routes if inspect.iscoroutinefunction(r.endpoint)]
    assert on_the_loop == []
    own_slot = {
        (method, r.path)
        for r in routes
        for method in r.methods or ()
        if any(d.dependency is _hold_slot for d in r.dependencies)
    }
    assert own_slot == OWN_SESSION


def _ranks(world, n):
    return {f"rank_{i + 1}": str(p) for i, p in enumerate(world.proposals[:n])}


def test_a_wrong_code_on_the_page_counts_as_a_guess_and_stores_nothing_else(
    client, world, codes, session_factory, settings
):
    (code,) = codes(1)
    page = f"/processes/{world.process_id}/vote"
    before = counts(session_factory)
    settings.throttle_address_free_failures = 5  # the address's ceiling, low for the test
    for _ in range(5):
        r = client.post(page, data={"access_code": new_access_code(), **_ranks(world, 2)})
        assert r.status_code == 401, r.text
        assert throttle_rows(session_factory) == 1 and counts(session_factory) == before
    # The guesses were kept though each cast was rolled back: the right code now waits.
    r = client.post(page, data={"access_code": code, **_ranks(world, 2)})
    assert r.status_code == 429
    assert counts(session_factory) == before


def test_a_refused_page_cast_leaves_the_code_usable(client, world, codes, session_factory):
    (code,) = codes(1)
    page = f"/processes/{world.process_id}/vote"
    before = counts(session_factory)
    twice = {"rank_1": str(world.proposals[0]), "rank_2": str(world.proposals[0])}
    r = client.post(page, data={"access_code": code, **twice})
    assert r.status_code == 422 and counts(session_factory) == before
    r = client.post(page, data={"access_code": code, **_ranks(world, 2)}, follow_redirects=False)
    assert r.status_code == 303
    assert counts(session_factory)["ballots"] == before["ballots"] + 1
